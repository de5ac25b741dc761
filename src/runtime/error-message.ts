// The one way an unknown thrown value becomes a log field or a sentence.
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
