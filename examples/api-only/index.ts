/**
 * An existing website gets Amazon Connect chat from the connect-chat package's ChatApi alone. The site keeps its
 * own pages and calls the API across origins; this program deploys the API, the table that
 * remembers each customer's chat, and the function between them.
 */
import * as pulumi from "@pulumi/pulumi";
import { ChatApi } from "connect-chat";

const config = new pulumi.Config();

const chat = new ChatApi("chat", {
  instanceId: config.require("instanceId"),
  contactFlowId: config.require("contactFlowId"),
  // Only the site's own pages may call the API from a browser.
  allowedOrigins: config.requireObject<string[]>("siteOrigins"),
});

/** Where the site's chat client posts (the AWS sample widget's `apiGatewayEndpoint` takes it as is). */
export const chatApiUrl = chat.url;
export const chatsTableName = chat.tableName;
