/**
 * Page-context attributes the widget can send with a new chat. It sends those the deployment's
 * `allowedAttributes` name (config.json `pageContext`), and no others: the API refuses the rest.
 * No DOM here: ChatSite and the local stack use it too.
 */
export const pageContextAttributes = ["pageUrl", "pageTitle"] as const;

/** The page-context attributes a deployment that allows `allowedAttributes` gets from the widget. */
export const pageContextFor = (allowedAttributes: readonly string[] = []): string[] =>
  pageContextAttributes.filter((name) => allowedAttributes.includes(name));
