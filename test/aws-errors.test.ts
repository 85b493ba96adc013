import { expect } from "chai";
import { awsFailure } from "../handlers/start-chat/aws-errors";

const error = (name: string, status?: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe("awsFailure", () => {
  const cases: [string, "connect" | "dynamodb", Error, number, string, number | undefined][] = [
    ["Connect throttling", "connect", error("ThrottlingException", 429), 429, "THROTTLED", 1],
    ["Connect TooManyRequests", "connect", error("TooManyRequestsException", 429), 429, "THROTTLED", 1],
    ["Connect's active-chat quota", "connect", error("LimitExceededException", 429), 429, "CHAT_CAPACITY", 30],
    ["a Connect 5xx", "connect", error("InternalServiceException", 500), 502, "UPSTREAM_ERROR", 2],
    ["Connect refusing our flow", "connect", error("ResourceNotFoundException", 404), 502, "UPSTREAM_REJECTED", undefined],
    ["Connect denying access", "connect", error("AccessDeniedException", 403), 502, "UPSTREAM_REJECTED", undefined],
    ["a DynamoDB throughput error", "dynamodb", error("ProvisionedThroughputExceededException", 400), 503, "STORE_UNAVAILABLE", 1],
    ["DynamoDB request limit", "dynamodb", error("RequestLimitExceeded", 400), 503, "STORE_UNAVAILABLE", 1],
    ["a DynamoDB 5xx", "dynamodb", error("InternalServerError", 500), 503, "STORE_UNAVAILABLE", 2],
    ["a missing table", "dynamodb", error("ResourceNotFoundException", 400), 502, "UPSTREAM_REJECTED", undefined],
    ["a timeout", "connect", error("TimeoutError"), 503, "UPSTREAM_UNAVAILABLE", 2],
    ["a refused connection", "dynamodb", Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }), 503, "UPSTREAM_UNAVAILABLE", 2],
  ];
  for (const [what, service, thrown, status, code, retryAfter] of cases) {
    it(`maps ${what} to ${status} ${code}`, () => {
      const failure = awsFailure(service, thrown);
      expect(failure).to.include({ status, code });
      expect(failure.retryAfter).to.equal(retryAfter);
    });
  }
});
