-- An admin's unlock is a row of its own in login_attempts: it resets the
-- failure count like a successful sign-in, without pretending one happened.
-- kind: 'sign_in' (an attempt, success true or false) or 'unlock'.
ALTER TABLE login_attempts ADD COLUMN kind VARCHAR DEFAULT 'sign_in';
