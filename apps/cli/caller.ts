// The agent whose window this command runs in (cmux gives each agent window its name in
// CMUX_AGENT_NAME), or undefined outside one.
export function windowAgent(): string | undefined {
  return process.env.CMUX_AGENT_NAME || undefined;
}

// Who a command speaks as when it sends something (a message, a task, a spawn's task): the
// agent whose window it runs in, else the person. Answers go back to it.
export function caller(): string {
  return windowAgent() ?? 'user';
}
