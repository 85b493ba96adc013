/**
 * The connect-chat policy pack: what `pulumi preview --policy-pack policy` runs. Constructing a
 * PolicyPack starts its gRPC server (node_modules/@pulumi/policy/policy.js, server.js `serve`), so
 * this module does nothing else; the policies live in policies.ts, where tests reach them.
 */
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("connect-chat", { policies });
