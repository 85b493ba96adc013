/**
 * The SDK's default credential chain, as the functions' SDK bundles have it (infra/sdk-bundle.ts
 * puts this module in place of `@aws-sdk/credential-provider-node`): Lambda always hands a function
 * its role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN (Lambda
 * developer guide, "Defined runtime environment variables"). The chain's other sources (SSO,
 * profiles, web identity, container and instance metadata, and the STS client they bring) would
 * only slow every cold start: about 9 ms of module load, measured by `npm run bench`.
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
