// Infrastructure-as-code's tag round trip with the AWS SDK for JavaScript v3, against a live
// OpenSES: create a configuration set with Tags, read them back, add and replace one, remove
// two (UntagResource sends its keys as a repeated query parameter), read them again.
// Run by tests/wire/clients/test_node_resource_tags.py.
//
// Usage: node resource-tags.mjs
//
// Environment (all required):
//   OPENSES_ENDPOINT       base URL of OpenSES, e.g. http://127.0.0.1:8080
//   AWS_REGION             region to sign for, e.g. us-east-1
//   AWS_ACCESS_KEY_ID      the account's access key id
//   AWS_SECRET_ACCESS_KEY  the account's secret access key
//   OPENSES_SET            the configuration set to create
//   OPENSES_RESOURCE_ARN   its ARN
//
// Output: exactly one JSON line on stdout, exit status 0, whenever the service answered:
//   {"created": [...], "tagged": [...], "untagged": [...]}     the tags after each step
//   {"error": {"name", "httpStatusCode", "message"}}            the service refused a step
// Anything else goes to stderr with exit status 1 or 2.

import {
  CreateConfigurationSetCommand,
  ListTagsForResourceCommand,
  SESv2Client,
  TagResourceCommand,
  UntagResourceCommand,
} from "@aws-sdk/client-sesv2";

const VARIABLES = [
  "OPENSES_ENDPOINT",
  "AWS_REGION",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "OPENSES_SET",
  "OPENSES_RESOURCE_ARN",
];

const missing = VARIABLES.filter((name) => !process.env[name]);
if (missing.length > 0) {
  process.stderr.write(`resource-tags: missing environment: ${missing.join(", ")}\n`);
  process.exit(2);
}
const env = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

const client = new SESv2Client({
  endpoint: env.OPENSES_ENDPOINT,
  region: env.AWS_REGION,
  credentials: {
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
  },
  maxAttempts: 1,
});
const ResourceArn = env.OPENSES_RESOURCE_ARN;

async function tags() {
  return (await client.send(new ListTagsForResourceCommand({ ResourceArn }))).Tags;
}

async function roundTrip() {
  await client.send(
    new CreateConfigurationSetCommand({
      ConfigurationSetName: env.OPENSES_SET,
      Tags: [
        { Key: "team", Value: "mail ops" },
        { Key: "env", Value: "" },
        { Key: "owner", Value: "ann@shop.example" },
      ],
    }),
  );
  const created = await tags();
  await client.send(
    new TagResourceCommand({
      ResourceArn,
      Tags: [
        { Key: "env", Value: "prod" },
        { Key: "cost/center", Value: "42" },
      ],
    }),
  );
  const tagged = await tags();
  await client.send(new UntagResourceCommand({ ResourceArn, TagKeys: ["team", "owner"] }));
  return { created, tagged, untagged: await tags() };
}

try {
  process.stdout.write(`${JSON.stringify(await roundTrip())}\n`);
} catch (error) {
  const status = error?.$metadata?.httpStatusCode;
  if (error?.$fault === undefined || status === undefined) {
    process.stderr.write(`resource-tags: no answer from ${env.OPENSES_ENDPOINT}: ${error?.stack ?? error}\n`);
    process.exit(1);
  }
  const answer = { error: { name: error.name, httpStatusCode: status, message: error.message } };
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
