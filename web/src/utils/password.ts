// The contract's password rule: 8..128 characters, at least one letter and one digit.
export const PASSWORD_MIN = 8
export const PASSWORD_MAX = 128

export function isAcceptablePassword(password: string): boolean {
  const length = [...password].length
  return length >= PASSWORD_MIN && length <= PASSWORD_MAX && /\p{L}/u.test(password) && /\d/.test(password)
}
