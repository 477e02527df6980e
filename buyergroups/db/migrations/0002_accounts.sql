-- 0002: sign-in. Sessions live on the server: the browser only carries a random
-- token, of which only the SHA-256 hash is stored, so a stolen database copy
-- cannot be replayed and any session can be ended (logout, password change,
-- disabled account, expiry).
CREATE TABLE sessions (
    token_hash VARCHAR PRIMARY KEY,
    user_id INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_seen_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    ended_reason VARCHAR
);

-- Every sign-in attempt, by the lower-cased email typed (known or not), for
-- the lock-out after repeated failures. Append-only.
CREATE TABLE login_attempts (
    email_lower VARCHAR NOT NULL,
    attempted_at TIMESTAMP NOT NULL,
    success BOOLEAN NOT NULL
);
