// For unit tests of the API clients: a stand-in for ./http that records each request, so a
// test checks the method, path and body a client function sends. Use it as
//   vi.mock('./http', async () => (await import('./recordingHttp')).recordingHttp)
// and read `calls` (clear it before each test).
export const calls: Array<{ method: string; path: string; arg?: unknown }> = []

const record = (method: string) => (path: string, arg?: unknown) => {
  calls.push({ method, path, arg })
  return Promise.resolve({})
}

export const recordingHttp = {
  API_BASE: '/api/v1',
  ApiError: class extends Error {},
  NETWORK_ERROR_CODE: 'network',
  buildQuery: () => '',
  http: { get: record('GET'), post: record('POST'), put: record('PUT'), patch: record('PATCH'), delete: record('DELETE') },
  seg: (value: string) => encodeURIComponent(value),
}
