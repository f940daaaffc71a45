// Waiting for something another process or a timer does (a server starting, a breaker
// closing, a cron tick): poll until the condition holds, with a deadline generous enough for
// a busy CI machine. The deadline only bounds a failure; a passing test never waits it out.
export async function waitFor(
  condition: () => Promise<boolean>,
  { timeoutMs = 20_000, intervalMs = 100, what = 'condition' } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
