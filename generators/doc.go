// Package generators derives rapid generators from the model (package spec): valid
// values for any shape and valid requests for any operation, and, for every
// constraint of every input member, requests that break exactly that constraint.
//
// Everything is read from the schema, never from a member's name: a new operation,
// member or constraint in the model gets generators without a line of code here.
//
// # Valid values
//
// Strings are built to a chosen length: the pattern is compiled (with Go's
// regexp/syntax, the dialect the spec's Regexp and the kin-openapi oracle use) into a
// tree that knows the exact lengths each part can match, so a generator picks a length
// the shape allows and constructs a match of exactly that length. Runes come from the
// pattern's classes by index, so [\p{L}\p{M}\p{S}\p{N}\p{P}]+ costs one draw per rune
// like [0-9a-f]+ does. No value is generated and then rejected: the discard rate is 0
// for every pattern. Lengths are counted in code points, as JSON Schema and AWS count.
//
// Boundaries are drawn on purpose: the shortest valid length and the maximum length
// (and an integer range's ends) each come up in roughly a fifth to a third of draws,
// through a single monotone draw that rapid can still shrink exactly.
//
// # Invalid cases
//
// Invalid(c) breaks one constraint and keeps the rest of the request valid. The
// variants (Variants lists those that apply to a constraint):
//
//   - required: omitted.
//   - type: <json type>-for-<expected type> for every other JSON type (a numeric
//     string for a number, a valid value wrapped in an array, ...), non-integer for an
//     integer, and null for required members only (AWS reads a null member as absent).
//   - pattern: junk-before, junk-after, forbidden-char, missing-separator (a rune every
//     match holds, removed), lookalike (a non-ASCII homoglyph), leading-whitespace,
//     trailing-whitespace, inner-whitespace, empty (when the length allows "").
//   - length: min-1, empty (when min > 1), max+1, far-beyond (up to 4×max, at most
//     256 Ki runes), pattern-valid whenever some value of that length matches.
//   - enum: case-change, surrounding-whitespace, other-word, empty.
//   - range: min-1, below-min, max+1, above-max, int32-overflow (int32 members).
//
// A rune outside the pattern's alphabet, or the absence of a rune every match holds,
// makes a value certain not to match, so invalid values need no trial and error
// either. Where breaking one rule alone is impossible (the empty string is below the
// minimum length of a "+" pattern and does not match it), Case.AlsoBreaks says so.
//
// # Shrinking and determinism
//
// Every choice is a rapid draw, so the same seed gives the same values and a failing
// property shrinks to a small, readable input: fewer members, shorter strings, plain
// ASCII letters (class indices start at 'a', where rapid shrinks to).
package generators
