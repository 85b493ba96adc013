/**
 * The AWS SDK v3 commands transcript-landed uses, and nothing else: bundled, minified, into the
 * function's package by TranscriptWatcher (infra/sdk-bundle.ts), as start-chat's are.
 */
import { DynamoDBClient, QueryCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";

export const dynamodb = { DynamoDBClient, QueryCommand, UpdateItemCommand };
export const s3 = { GetObjectCommand, S3Client };
