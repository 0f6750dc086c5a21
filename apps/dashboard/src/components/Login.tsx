import { useState } from 'react';
import { api } from '../api';

// Shown when the API answers 401: open a one-time URL from `cmux open` (or the one
// `cmux start` printed), or paste the token from `$CMUX_HOME/token`. `notice` says why a login
// URL just opened did not log in.
export function Login({ notice, onDone }: { notice: string; onDone: () => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState('');
  return (
    <main className="login">
      <h1>cmux</h1>
      {notice && <p className="error" role="alert">{notice}</p>}
      <p>
        This dashboard needs the access token. Open the one-time URL that <code>cmux open</code> prints (or the one <code>cmux start</code> printed, if
        not used yet), or paste the token from <code>.cmux/token</code>.
      </p>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          try {
            await api.login(token.trim());
            onDone();
          } catch {
            setError('That token is not right.');
          }
        }}
      >
        <input aria-label="token" type="password" value={token} onChange={(e) => setToken(e.target.value)} placeholder="token" autoFocus />
        <button type="submit">Log in</button>
      </form>
      {error && <p className="error" role="alert">{error}</p>}
    </main>
  );
}
