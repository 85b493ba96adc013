/**
 * The AWS SDK v3 commands start-chat uses, and nothing else. ChatApi bundles this file, minified,
 * into the function's package (infra/sdk-bundle.ts): a cold start loads one small file instead of
 * the runtime's hundreds of SDK modules, and the SDK is the version our lockfile pins.
 */
import { ConnectClient, DescribeContactCommand, SearchUsersCommand, StartChatContactCommand } from "@aws-sdk/client-connect";
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { DecryptCommand, EncryptCommand, KMSClient } from "@aws-sdk/client-kms";

export const connect = { ConnectClient, DescribeContactCommand, SearchUsersCommand, StartChatContactCommand };
export const dynamodb = { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand };
export const kms = { DecryptCommand, EncryptCommand, KMSClient };
