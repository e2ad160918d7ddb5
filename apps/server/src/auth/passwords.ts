import { hash, verify, type Options } from "@node-rs/argon2";
import { ZxcvbnFactory } from "@zxcvbn-ts/core";
import { adjacencyGraphs, dictionary } from "@zxcvbn-ts/language-common";
import { PASSWORD_MIN_LENGTH } from "@carewatch/domain";

/**
 * Passwords: argon2id (OWASP's parameters: 19 MiB, 2 passes, 1 lane), checked for length and
 * for being guessable (zxcvbn's common-password and keyboard-pattern dictionaries).
 */
// Algorithm.Argon2id is 2 (a `const enum`, which isolated modules cannot import).
const ARGON2ID = 2;
const OPTIONS: Options = { algorithm: ARGON2ID, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

const strength = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

/** False for a wrong password or a hash that is not one of ours (never throws on bad input). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the account does not exist, so both answers take as long. */
let decoy: Promise<string> | null = null;
export function decoyHash(): Promise<string> {
  return (decoy ??= hashPassword("carewatch decoy password, never anybody's"));
}

/** Why a password is refused (Vietnamese first, English after), or null when it is fine. */
export function passwordProblem(password: string, email: string): string | null {
  if ([...password].length < PASSWORD_MIN_LENGTH)
    return `Mật khẩu phải có ít nhất ${PASSWORD_MIN_LENGTH} ký tự · The password must have at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password.length > 1024) return "Mật khẩu quá dài (tối đa 1024 ký tự) · The password is too long (at most 1024 characters).";
  const local = email.split("@")[0] ?? "";
  const result = strength.check(password.slice(0, 256), [email, local, "carewatch"]);
  if (result.score < 3)
    return "Mật khẩu quá dễ đoán: hãy dùng một cụm vài từ không liên quan · The password is too easy to guess: use a phrase of a few unrelated words.";
  return null;
}
