// A cleanup step that cannot hang a run: a test driver's finally block closes the browser, the
// proxy and code-server, and a close that never settles (a CI run once sat 15 minutes after its
// suite had passed, with no socket left open) must not keep the driver from reporting and exiting.

/**
 * Awaits `step()` for at most `seconds`; a step that throws or takes longer is logged with `what`
 * and left behind (its process is killed or exits with the driver).
 */
export async function bounded(what, step, seconds = 20) {
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve('late'), seconds * 1000);
  });
  try {
    const outcome = await Promise.race([Promise.resolve().then(step).then(() => 'done'), late]);
    if (outcome === 'late') console.error(`${what} did not finish within ${seconds} s; going on without it`);
  } catch (err) {
    console.error(`${what} failed: ${err instanceof Error ? err.message : err}`);
  } finally {
    clearTimeout(timer);
  }
}
