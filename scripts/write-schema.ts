/**
 * Writes schema.json: the component provider's schema as Pulumi infers it from our types, the one
 * `pulumi package add` generates every language's SDK from. Committed, so a change to a
 * component's API shows in review; test/schema.test.ts fails while it is out of date.
 */
import { writeFileSync } from "node:fs";
import { providerSchema, schemaFile, schemaText } from "./provider-schema";

providerSchema().then((schema) => {
  writeFileSync(schemaFile, schemaText(schema));
  console.log(`wrote ${schemaFile}`);
}, (error: unknown) => {
  console.error(error);
  process.exit(1);
});
