// A delegate sending for another account's identity with the AWS SDK for JavaScript v3,
// against a live OpenSES. Run by tests/wire/clients/test_node_sdk.py.
//
// Usage: node delegate-send.mjs MODE
//   v2-send   SESv2 SendEmail, FromEmailAddress + FromEmailAddressIdentityArn, Simple content
//   v1-raw    SES v1 SendRawEmail; the identity ARN travels in an X-SES-SOURCE-ARN header
//
// Environment (all required):
//   OPENSES_ENDPOINT       base URL of OpenSES, e.g. http://127.0.0.1:8080 (plain HTTP is fine)
//   AWS_REGION             region to sign for, e.g. us-east-1
//   AWS_ACCESS_KEY_ID      the delegate's access key id
//   AWS_SECRET_ACCESS_KEY  the delegate's secret access key
//   OPENSES_FROM           the From address, e.g. app@owner.example
//   OPENSES_TO             the recipient address
//   OPENSES_IDENTITY_ARN   the owner's identity ARN the delegate sends for
//
// Output: exactly one JSON line on stdout, exit status 0, whenever the service answered:
//   {"mode": MODE, "messageId": "..."}                               the send was accepted
//   {"mode": MODE, "error": {"name", "httpStatusCode", "message"}}   the service refused it
// A refusal is an answer, not a failure: the caller asserts on it. Anything else (bad usage,
// no connection, a reply the SDK cannot parse) goes to stderr with exit status 1 or 2.

import { SESClient, SendRawEmailCommand } from "@aws-sdk/client-ses";
import { SESv2Client, SendEmailCommand } from "@aws-sdk/client-sesv2";

const MODES = ["v2-send", "v1-raw"];
const VARIABLES = [
  "OPENSES_ENDPOINT",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "OPENSES_FROM",
  "OPENSES_TO",
  "OPENSES_IDENTITY_ARN",
];

function usage(problem) {
  process.stderr.write(`delegate-send: ${problem}\nusage: node delegate-send.mjs ${MODES.join("|")}\n`);
  process.exit(2);
}

const mode = process.argv[2];
if (!MODES.includes(mode)) usage(`unknown mode ${JSON.stringify(mode)}`);
const missing = VARIABLES.filter((name) => !process.env[name]);
if (missing.length > 0) usage(`missing environment: ${missing.join(", ")}`);
const env = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

const config = {
  endpoint: env.OPENSES_ENDPOINT,
  region: env.AWS_REGION,
  credentials: {
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
  },
  maxAttempts: 1, // a refusal must come back at once, not after retries
};

async function v2Send() {
  const client = new SESv2Client(config);
  const reply = await client.send(
    new SendEmailCommand({
      FromEmailAddress: env.OPENSES_FROM,
      FromEmailAddressIdentityArn: env.OPENSES_IDENTITY_ARN,
      Destination: { ToAddresses: [env.OPENSES_TO] },
      Content: {
        Simple: {
          Subject: { Data: "Hello from Node" },
          Body: { Text: { Data: "Sent by @aws-sdk/client-sesv2." } },
        },
      },
    }),
  );
  return reply.MessageId;
}

async function v1Raw() {
  const client = new SESClient(config);
  const raw = [
    `X-SES-SOURCE-ARN: ${env.OPENSES_IDENTITY_ARN}`,
    `From: ${env.OPENSES_FROM}`,
    `To: ${env.OPENSES_TO}`,
    "Subject: Raw hello from Node",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=UTF-8",
    "",
    "Sent by @aws-sdk/client-ses SendRawEmail.",
    "",
  ].join("\r\n");
  const reply = await client.send(
    new SendRawEmailCommand({ RawMessage: { Data: new TextEncoder().encode(raw) } }),
  );
  return reply.MessageId;
}

function print(record) {
  process.stdout.write(`${JSON.stringify({ mode, ...record })}\n`);
}

try {
  const messageId = await (mode === "v2-send" ? v2Send() : v1Raw());
  print({ messageId });
} catch (error) {
  const status = error?.$metadata?.httpStatusCode;
  if (error?.$fault === undefined || status === undefined) {
    process.stderr.write(`delegate-send: no answer from ${env.OPENSES_ENDPOINT}: ${error?.stack ?? error}\n`);
    process.exit(1);
  }
  print({ error: { name: error.name, httpStatusCode: status, message: error.message } });
}
