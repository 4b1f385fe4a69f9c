/** Where the CLI writes; injectable so tests capture output without spawning a process. */
export interface CliStreams {
  /** Receives results. */
  stdout: { write(chunk: string): unknown };
  /** Receives errors and warnings. */
  stderr: { write(chunk: string): unknown };
}
