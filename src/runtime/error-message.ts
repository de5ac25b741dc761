// The one way an unknown thrown value becomes a log field or a sentence, and the one way a text is cut to size.
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** text cut to at most max characters, an ellipsis marking the cut. */
export function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
