/** Embedded DynamoDB (dynalite) with the chats table created from the schema ChatApi deploys. */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, type CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { chatsTable } from "../handlers/chats-table";

// dynalite ships no type declarations.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (options: { path?: string; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

/** Failures dynalite can be told to show, as DynamoDB shows them. */
export interface DynamoFaults {
  /** Operations the faults apply to (GetItem, PutItem, …); all when omitted. */
  operations?: string[];
  /** Answer 400 ProvisionedThroughputExceededException. */
  throttle?: boolean;
  /** Answer 500 InternalServerError. */
  serverError?: boolean;
  /** Wait this long before answering. */
  latencyMs?: number;
}

export interface LocalDynamo {
  /** Serves the DynamoDB JSON protocol; the URL path is ignored, so it can be mounted anywhere. */
  handle(req: IncomingMessage, res: ServerResponse): void | Promise<void>;
  /** How many times each DynamoDB operation was called: what a request costs in storage calls. */
  callCounts(): Record<string, number>;
  resetCallCounts(): void;
  /** Replaces the fault switches; `{}` turns them all off. */
  setFaults(faults: DynamoFaults): void;
  close(): Promise<void>;
}

/** In memory unless `dataDir` is given. */
export function createLocalDynamo(dataDir?: string): LocalDynamo {
  const server = dynalite({ path: dataDir, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const dynaliteHandler = server.listeners("request")[0] as (req: IncomingMessage, res: ServerResponse) => void;
  const calls = new Map<string, number>();
  let faults: DynamoFaults = {};
  const fail = (res: ServerResponse, status: number, type: string): void =>
    void res.writeHead(status, { "content-type": "application/x-amz-json-1.0" }).end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${type}`, message: type }));
  return {
    async handle(req, res) {
      const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "Unknown";
      calls.set(operation, (calls.get(operation) ?? 0) + 1);
      const applies = !faults.operations || faults.operations.includes(operation);
      if (applies && faults.latencyMs) await new Promise((resolve) => setTimeout(resolve, faults.latencyMs));
      if (applies && faults.throttle) fail(res, 400, "ProvisionedThroughputExceededException");
      else if (applies && faults.serverError) fail(res, 500, "InternalServerError");
      else {
        dynaliteHandler(req, res);
        // dynalite rethrows the request's 'error' (a client leaving mid-body), which would end the
        // process; the request is over then, with no one to answer.
        req.removeAllListeners("error");
        req.on("error", () => undefined);
      }
    },
    setFaults: (next) => {
      faults = { ...next };
    },
    callCounts: () => Object.fromEntries(calls),
    resetCallCounts: () => calls.clear(),
    // dynalite closes its store when its (never listening) server is closed.
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function chatsTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: chatsTable.keyAttributes.map(({ name, type }) => ({ AttributeName: name, AttributeType: type })),
    KeySchema: [{ AttributeName: chatsTable.partitionKey, KeyType: "HASH" }],
    GlobalSecondaryIndexes: [{
      IndexName: chatsTable.contactIndex.name,
      KeySchema: [{ AttributeName: chatsTable.contactIndex.partitionKey, KeyType: "HASH" }],
      Projection: { ProjectionType: "KEYS_ONLY" },
    }],
  };
}

/** Creates the chats table unless a kept data directory already has it. */
export async function ensureChatsTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if ((error as Error).name !== "ResourceNotFoundException") throw error;
    await client.send(new CreateTableCommand(chatsTableInput(tableName)));
  }
}
