/** Reads a landed object, for transcripts whose key does not name their contact. */
import type * as S3 from "@aws-sdk/client-s3";
import { lazy } from "../lazy";

export interface TranscriptObjects {
  /** The object's text, or undefined when it is gone or too large to be a transcript we read. */
  read(bucket: string, key: string): Promise<string | undefined>;
}

type S3Sdk = Pick<typeof S3, "S3Client" | "GetObjectCommand">;

/** Far above any chat transcript; a larger object under the prefix is not one we read. */
const maxTranscriptBytes = 20 * 1024 * 1024;

export function s3TranscriptObjects(loadSdk: () => S3Sdk, clientConfig: S3.S3ClientConfig = {}): TranscriptObjects {
  const connection = lazy(() => {
    const sdk = loadSdk();
    return { sdk, client: new sdk.S3Client(clientConfig) };
  });
  return {
    async read(bucket, key) {
      const { sdk, client } = connection();
      try {
        const object = await client.send(new sdk.GetObjectCommand({ Bucket: bucket, Key: key }));
        if ((object.ContentLength ?? 0) > maxTranscriptBytes) {
          object.Body?.transformToWebStream().cancel();
          return undefined;
        }
        return await object.Body?.transformToString("utf8");
      } catch (error) {
        if ((error as Error).name === "NoSuchKey") return undefined;
        throw error;
      }
    },
  };
}
