// Prints a read command's data as JSON (for --json) on stdout.
export function printJson(data: unknown): void {
  process.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
}

// Prints one line of human output on stdout.
export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

// Prints a notice on stderr: what the user should know while a command waits.
export function warn(line: string): void {
  process.stderr.write(`${line}\n`);
}
