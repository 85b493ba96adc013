/**
 * Who the customer is (design §3). Never the name they typed: in anonymous mode the resume token
 * this API issued (only its hash is stored), in signed-in mode the JWT `sub` verified by API Gateway.
 */
import { createHash, randomBytes } from "node:crypto";
import { chatsTable } from "../chats-table";
import { fail, type HttpApiEvent } from "../http";
import type { AuthMode } from "./settings";

export interface Customer {
  key: string;
  /** Anonymous mode: the token the page keeps to come back to this chat; it also seals the chat's participant token (seal.ts). */
  resumeToken?: string;
  /** False for a token minted just now: no record can exist yet, so none is read. */
  mayHaveChat: boolean;
}

export function sha256(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}

export function newAnonymousCustomer(): Customer {
  const resumeToken = randomBytes(32).toString("base64url");
  return { key: `anon#${sha256(resumeToken)}`, resumeToken, mayHaveChat: false };
}

export function identifyCustomer(event: HttpApiEvent, authMode: AuthMode, resumeToken: string | undefined): Customer {
  if (authMode === "jwt") {
    const sub = event.requestContext?.authorizer?.jwt?.claims?.sub;
    // API Gateway's JWT authorizer already refuses bad tokens; this guards a route left without it.
    if (typeof sub !== "string" || sub === "") fail({ status: 401, code: "UNAUTHORIZED", message: "Sign in to start a chat." });
    return { key: `${chatsTable.signedInKeyPrefix}${sub}`, mayHaveChat: true };
  }
  return resumeToken ? { key: `anon#${sha256(resumeToken)}`, resumeToken, mayHaveChat: true } : newAnonymousCustomer();
}
