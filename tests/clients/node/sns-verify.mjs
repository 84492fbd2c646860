// Verifies SNS HTTP messages with AWS's own standalone verifier (npm "sns-validator").
//
// stdin: a JSON array of message bodies (strings, exactly as POSTed). For each, one JSON line on
// stdout: {"ok": true, "type": ...} or {"ok": false, "error": ...}. The verifier fetches the
// SigningCertURL itself (it insists on https and a .pem path); OPENSES_SNS_HOST_PATTERN is the
// regular expression its host must match (the verifier's hostPattern option).
import MessageValidator from "sns-validator";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const bodies = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const validator = new MessageValidator(new RegExp(process.env.OPENSES_SNS_HOST_PATTERN));

for (const body of bodies) {
  const reply = await new Promise((resolve) => {
    validator.validate(body, (error, message) => {
      if (error) resolve({ ok: false, error: String(error.message || error) });
      else resolve({ ok: true, type: message.Type });
    });
  });
  process.stdout.write(JSON.stringify(reply) + "\n");
}
