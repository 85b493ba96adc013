/**
 * The API's CORS rules: ChatApi gives them to API Gateway, and the local API Gateway adapter
 * applies the same ones, so what the tests see is what is deployed.
 */
export interface CorsRules {
  allowOrigins: string[];
  allowMethods: string[];
  allowHeaders: string[];
  /** Seconds a browser may keep a preflight answer. */
  maxAge: number;
}

export function chatCors(allowedOrigins: string[], signedIn: boolean): CorsRules {
  return { allowOrigins: allowedOrigins, allowMethods: ["POST"], allowHeaders: ["content-type", ...(signedIn ? ["authorization"] : [])], maxAge: 3600 };
}
