/**
 * The globals the widget's lazily loaded scripts leave their exports in (www/build.ts builds them
 * so), shared by the build and the widget that reads them.
 */
/** Language packs: `window[packGlobal][language]` (i18n.ts). */
export const packGlobal = "__connectChatLanguages";
/** The chat's parts (chat-parts.ts). */
export const chatPartsGlobal = "__connectChatParts";
