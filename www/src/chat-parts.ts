/**
 * The parts of the widget a chat needs and a form does not: the ChatJS adapter, the transcript, its
 * rendering and the composer. Built as a script of their own (`chat-parts-<hash>.js`, www/build.ts)
 * and loaded when a chat starts or resumes, so the first load (launcher and form) stays small.
 */
export { chatOver, openChat, throttled } from "./chat-connection";
export { createComposer } from "./composer";
export { renderEntry } from "./render-entry";
export { applyItem, nameOf, transcriptText } from "./transcript";
