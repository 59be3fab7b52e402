// Forked from @lezer/python 1.1.19's src/tokens.js (MIT, Marijn Haverbeke and others), typed,
// without the Python 2 print-statement tokenizer. See python.grammar for why the grammar is forked.
import type { InputStream } from "@lezer/lr";
import { ContextTracker, ExternalTokenizer } from "@lezer/lr";
import {
  newline as newlineToken, eof, newlineBracketed, blankLineStart, indent, dedent,
  ParenthesizedExpression, TupleExpression, ComprehensionExpression,
  PatternArgList, SequencePattern, MappingPattern, TypeParamList,
  ArrayExpression, ArrayComprehensionExpression, ArgList, ParamList, importList, subscript, withItemList,
  DictionaryExpression, DictionaryComprehensionExpression, SetExpression, SetComprehensionExpression,
  String as StringTerm, FormatString, FormatReplacement, nestedFormatReplacement,
  stringStart, stringStartD, stringStartL, stringStartLD,
  stringStartR, stringStartRD, stringStartRL, stringStartRLD,
  stringStartF, stringStartFD, stringStartFL, stringStartFLD,
  stringStartFR, stringStartFRD, stringStartFRL, stringStartFRLD,
  stringContent, Escape, replacementStart, stringEnd,
  ParenL, BraceL, BracketL
} from "./parser.terms.ts"

const newline = 10, carriageReturn = 13, space = 32, tab = 9, hash = 35, 
      braceOpen = 123, braceClose = 125, singleQuote = 39, doubleQuote = 34, backslash = 92,
      letter_o = 111, letter_x = 120, letter_N = 78, letter_u = 117, letter_U = 85

const bracketed = new Set([
  ParenthesizedExpression, TupleExpression, ComprehensionExpression, importList, ArgList, ParamList,
  ArrayExpression, ArrayComprehensionExpression, subscript, withItemList,
  SetExpression, SetComprehensionExpression, FormatString, FormatReplacement, nestedFormatReplacement,
  DictionaryExpression, DictionaryComprehensionExpression,
  SequencePattern, MappingPattern, PatternArgList, TypeParamList
])

function isLineBreak(ch: number) {
  return ch == newline || ch == carriageReturn
}

function isHex(ch: number) {
  return ch >= 48 && ch <= 57 || ch >= 65 && ch <= 70 || ch >= 97 && ch <= 102
}

export const newlines = new ExternalTokenizer((input, stack) => {
  let prev
  if (input.next < 0) {
    input.acceptToken(eof)
  } else if (stack.context.flags & cx_Bracketed) {
    if (isLineBreak(input.next)) input.acceptToken(newlineBracketed, 1)
  } else if ((prev = input.peek(-1)) < 0 || isLineBreak(prev)) {
    // At a line start only a blank line (spaces, then a line break or a comment) yields a token:
    // look for one before asking the stack (canShift simulates reductions, and this runs once per
    // parse step at every line start).
    let spaces = 0
    while (input.next == space || input.next == tab) { input.advance(); spaces++ }
    if (input.next == newline || input.next == carriageReturn || input.next == hash) {
      if (stack.canShift(blankLineStart)) input.acceptToken(blankLineStart, -spaces)
      else if (spaces == 0 && isLineBreak(input.next)) input.acceptToken(newlineToken, 1)
    }
  } else if (isLineBreak(input.next)) {
    input.acceptToken(newlineToken, 1)
  }
}, {contextual: true})

export const indentation = new ExternalTokenizer((input, stack) => {
  let context = stack.context
  if (context.flags) return
  let prev = input.peek(-1)
  if (prev == newline || prev == carriageReturn) {
    let depth = 0, chars = 0
    for (;;) {
      if (input.next == space) depth++
      else if (input.next == tab) depth += 8 - (depth % 8)
      else break
      input.advance()
      chars++
    }
    if (depth != context.indent &&
        input.next != newline && input.next != carriageReturn && input.next != hash) {
      if (depth < context.indent) input.acceptToken(dedent, -chars)
      else input.acceptToken(indent)
    }
  }
})

// Flags used in Context objects
const cx_Bracketed = 1, cx_String = 2, cx_DoubleQuote = 4, cx_Long = 8, cx_Raw = 16, cx_Format = 32

class Context {
  readonly parent: Context | null
  readonly indent: number
  readonly flags: number
  readonly hash: number
  constructor(parent: Context | null, indent: number, flags: number) {
    this.parent = parent
    this.indent = indent
    this.flags = flags
    this.hash = (parent ? parent.hash + parent.hash << 8 : 0) + indent + (indent << 4) + flags + (flags << 6)
  }
}

const topIndent = new Context(null, 0, 0)

function countIndent(space: string) {
  let depth = 0
  for (let i = 0; i < space.length; i++)
    depth += space.charCodeAt(i) == tab ? 8 - (depth % 8) : 1
  return depth
}

const stringFlags = new Map<number, number>(([
  [stringStart, 0],
  [stringStartD, cx_DoubleQuote],
  [stringStartL, cx_Long],
  [stringStartLD, cx_Long | cx_DoubleQuote],
  [stringStartR, cx_Raw],
  [stringStartRD, cx_Raw | cx_DoubleQuote],
  [stringStartRL, cx_Raw | cx_Long],
  [stringStartRLD, cx_Raw | cx_Long | cx_DoubleQuote],
  [stringStartF, cx_Format],
  [stringStartFD, cx_Format | cx_DoubleQuote],
  [stringStartFL, cx_Format | cx_Long],
  [stringStartFLD, cx_Format | cx_Long | cx_DoubleQuote],
  [stringStartFR, cx_Format | cx_Raw],
  [stringStartFRD, cx_Format | cx_Raw | cx_DoubleQuote],
  [stringStartFRL, cx_Format | cx_Raw | cx_Long],
  [stringStartFRLD, cx_Format | cx_Raw | cx_Long | cx_DoubleQuote]
] as Array<[number, number]>).map(([term, flags]) => [term, flags | cx_String]))

// The same two tables by term id, read on every shift and reduction of every parse (an array
// read instead of a hashed lookup). The grammar's terms are all below TERMS (its maxTerm is 283).
const TERMS = 512
const closesBracket = new Uint8Array(TERMS)
for (const term of bracketed) closesBracket[term] = 1
/** The context flags a string start opens (cx_String set), 0 for any other term. */
const opensString = new Int32Array(TERMS)
for (const [term, flags] of stringFlags) opensString[term] = flags

export const trackIndent = new ContextTracker<Context>({
  start: topIndent,
  reduce(context, term) {
    if ((context.flags & cx_Bracketed) && (term < TERMS ? closesBracket[term] === 1 : bracketed.has(term)) ||
        (term == StringTerm || term == FormatString) && (context.flags & cx_String))
      return context.parent ?? context
    return context
  },
  shift(context, term, stack, input) {
    if (term == indent)
      return new Context(context, countIndent((input as unknown as { read: (from: number, to: number) => string }).read(input.pos, stack.pos)), 0)
    if (term == dedent)
      return context.parent ?? context
    if (term == ParenL || term == BracketL || term == BraceL || term == replacementStart)
      return new Context(context, 0, cx_Bracketed)
    const opened = term < TERMS ? opensString[term] ?? 0 : stringFlags.get(term) ?? 0
    if (opened)
      return new Context(context, 0, opened | (context.flags & cx_Bracketed))
    return context
  },
  hash(context) { return context.hash }
})

export const strings = new ExternalTokenizer((input, stack) => {
  let {flags} = stack.context
  let quote = (flags & cx_DoubleQuote) ? doubleQuote : singleQuote
  let long = (flags & cx_Long) > 0
  let escapes = !(flags & cx_Raw)
  let format = (flags & cx_Format) > 0

  let start = input.pos
  for (;;) {
    if (input.next < 0) {
      break
    } else if (format && input.next == braceOpen) {
      if (input.peek(1) == braceOpen) {
        input.advance(2)
      } else {
        if (input.pos == start) {
          input.acceptToken(replacementStart, 1)
          return
        }
        break
      }
    } else if (escapes && input.next == backslash) {
      if (input.pos == start) {
        input.advance()
        let escaped = input.next
        if (escaped >= 0 && !(format && (escaped == braceOpen || escaped == braceClose))) {
          input.advance()
          skipEscape(input, escaped)
        }
        input.acceptToken(Escape)
        return
      }
      break
    } else if (input.next == backslash && !escapes && input.peek(1) > -1) {
      // Raw strings still ignore escaped quotes, weirdly; a brace after the backslash keeps its meaning.
      input.advance(format && (input.peek(1) == braceOpen || input.peek(1) == braceClose) ? 1 : 2)
    } else if (input.next == quote && (!long || input.peek(1) == quote && input.peek(2) == quote)) {
      if (input.pos == start) {
        input.acceptToken(stringEnd, long ? 3 : 1)
        return
      }
      break
    } else if (input.next == newline) {
      if (long) {
        input.advance()
      } else if (input.pos == start) {
        input.acceptToken(stringEnd)
        return
      }
      break
    } else {
      input.advance()
    }
  }
  if (input.pos > start) input.acceptToken(stringContent)
})

function skipEscape(input: InputStream, ch: number) {
  if (ch == letter_o) {
    for (let i = 0; i < 2 && input.next >= 48 && input.next <= 55; i++) input.advance()
  } else if (ch == letter_x) {
    for (let i = 0; i < 2 && isHex(input.next); i++) input.advance()
  } else if (ch == letter_u) {
    for (let i = 0; i < 4 && isHex(input.next); i++) input.advance()
  } else if (ch == letter_U) {
    for (let i = 0; i < 8 && isHex(input.next); i++) input.advance()
  } else if (ch == letter_N) {
    if (input.next == braceOpen) {
      input.advance()
      while (input.next >= 0 && (input.next as number) != braceClose && (input.next as number) != singleQuote &&
             (input.next as number) != doubleQuote && (input.next as number) != newline) input.advance()
      if ((input.next as number) == braceClose) input.advance()
    }
  }
}
