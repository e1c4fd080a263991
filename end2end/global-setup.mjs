// `cargo leptos end-to-end` starts the server and the tests together: wait for it.
export default async function globalSetup() {
  const base = process.env.BASE_URL || 'http://127.0.0.1:8000';
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`${base}/health`);
      if (r.ok) return;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server at ${base} did not become healthy`);
}
