// What a route handler's signature tells a client, classified the way FastAPI 0.9x's
// get_dependant does: path parameters by name, Depends/Header/Cookie and framework objects
// left out, Body/Form/File and non-scalar annotations (models, lists, dicts) as the body,
// everything else as a query parameter.
import type { Param, RequestBody } from "./endpoint.ts";
import { evaluate } from "./evaluate.ts";
import type { Interpreter } from "./interpreter.ts";
import type { SyntaxNode } from "./python-parser.ts";
import { childrenOf } from "./python-parser.ts";
import { cleandoc, splitStringToken, unescapePython } from "./python-strings.ts";
import type { ParamSyntax } from "./python-syntax.ts";
import { parseParams } from "./python-syntax.ts";
import type { ClassValue, FunctionValue, Value } from "./values.ts";

export interface HandlerSignature {
  readonly pathParams: Param[];
  readonly queryParams: Param[];
  readonly requestBody?: RequestBody;
  readonly returnAnnotation?: string;
  readonly docstring?: string;
}

const SCALAR_TYPES = new Set([
  "int", "float", "str", "bool", "bytes", "Any", "UUID", "date", "datetime", "time", "timedelta", "Decimal",
  "EmailStr", "HttpUrl", "AnyUrl", "AnyHttpUrl", "SecretStr", "IPv4Address", "IPv6Address", "conint", "constr",
  "confloat", "condecimal", "PositiveInt", "NegativeInt", "StrictStr", "StrictInt", "StrictBool", "Literal",
]);
const FRAMEWORK_TYPES = new Set(["Request", "WebSocket", "HTTPConnection", "Response", "BackgroundTasks", "SecurityScopes"]);
const SKIPPED_MARKERS = new Set(["Depends", "Security", "Header", "Cookie"]);
const BODY_MARKERS = new Set(["Body", "Form", "File"]);

export const pathTemplateParams = (path: string): Array<{ name: string; converter: string | null }> =>
  !path.includes("{") ? [] : [...path.matchAll(/\{([^}:]+)(?::([^}]*))?\}/g)].map((match) => ({ name: match[1] ?? "", converter: match[2] ?? null }));

const lastSegment = (text: string): string => text.split(".").pop() ?? text;

const markerOf = (text: (node: SyntaxNode) => string, node: SyntaxNode | null): string | null => {
  if (node?.name !== "CallExpression") return null;
  const callee = node.firstChild;
  return callee ? lastSegment(text(callee)) : null;
};

/** `Optional[X]`, `Union[X, None]` and `X | None` all mean X to FastAPI. */
const unwrapOptional = (text: (node: SyntaxNode) => string, node: SyntaxNode): SyntaxNode => {
  if (node.name === "BinaryExpression") {
    const parts = childrenOf(node).filter((child) => child.name !== "BitOp");
    const nonNone = parts.filter((child) => child.name !== "None");
    if (parts.length === 2 && nonNone.length === 1 && nonNone[0]) return unwrapOptional(text, nonNone[0]);
  }
  if (node.name === "MemberExpression" && childrenOf(node)[1]?.name === "[") {
    const [base, , inner] = childrenOf(node);
    const baseName = base ? lastSegment(text(base)) : "";
    if (baseName === "Optional" && inner) return unwrapOptional(text, inner);
    if (baseName === "Union" && inner?.name === "TupleExpression") {
      const members = childrenOf(inner).filter((child) => child.name !== "," && child.name !== "None");
      if (members.length === 1 && members[0]) return unwrapOptional(text, members[0]);
    }
  }
  return node;
};

const isGeneric = (node: SyntaxNode): boolean => node.name === "MemberExpression" && childrenOf(node)[1]?.name === "[";

const inheritsFrom = (value: Value, test: (externalName: string) => boolean, seen = new Set<ClassValue>()): boolean => {
  if (value.kind === "external") return test(value.name);
  if (value.kind !== "class" || seen.has(value.cls)) return false;
  seen.add(value.cls);
  return value.cls.bases.some((base) => inheritsFrom(base, test, seen));
};

type Placement = "path" | "query" | "body" | "skip";

const placeParam = (
  interp: Interpreter,
  fn: FunctionValue,
  param: ParamSyntax,
  pathNames: ReadonlySet<string>,
  text: (node: SyntaxNode) => string,
): Placement => {
  const marker = markerOf(text, param.defaultValue);
  if (marker && SKIPPED_MARKERS.has(marker)) return "skip";
  const annotation = param.annotation ? unwrapOptional(text, param.annotation) : null;
  const typeName = annotation ? lastSegment(text(annotation).split("[")[0] ?? "") : null;
  if (typeName && FRAMEWORK_TYPES.has(typeName)) return "skip";
  if (pathNames.has(param.name)) return "path";
  if (marker && BODY_MARKERS.has(marker)) return "body";
  if (!annotation || !typeName || SCALAR_TYPES.has(typeName)) return "query";
  if (isGeneric(annotation)) return marker === "Query" ? "query" : "body";
  const resolved = evaluate(interp, annotation, fn.closure);
  if (inheritsFrom(resolved, (name) => /(^|\.)(Enum|IntEnum|StrEnum)$/.test(name))) return "query";
  if (resolved.kind === "external" && SCALAR_TYPES.has(lastSegment(resolved.name))) return "query";
  return "body";
};

export const analyseHandler = (
  interp: Interpreter,
  fn: FunctionValue,
  path: string,
  uniqueIdFor: () => string,
  isBound: boolean,
): HandlerSignature => {
  const parsed = fn.module.parsed;
  const text = (node: SyntaxNode) => parsed?.text(node) ?? "";
  const params = parseParams(childrenOf(fn.node).find((child) => child.name === "ParamList") ?? null, text)
    .slice(isBound ? 1 : 0) // a bound method's `self`/`cls` is not a parameter of the endpoint
    .filter((param) => param.kind === "positional" || param.kind === "keyword-only");
  const template = pathTemplateParams(path);
  const pathNames = new Set(template.map((item) => item.name));
  const annotationOf = (param: ParamSyntax) => (param.annotation ? { type: text(param.annotation) } : {});
  const declared = new Map(params.map((param) => [param.name, param]));
  const pathParams: Param[] = template.map(({ name }) => {
    const param = declared.get(name);
    return { name, ...(param ? annotationOf(param) : {}) };
  });
  const queryParams: Param[] = [];
  const bodyParams: ParamSyntax[] = [];
  for (const param of params) {
    const placement = placeParam(interp, fn, param, pathNames, text);
    if (placement === "query") queryParams.push({ name: param.name, ...annotationOf(param) });
    if (placement === "body") bodyParams.push(param);
  }
  const returnAnnotation = childrenOf(fn.node).find((child) => child.name === "TypeDef");
  const returnNode = returnAnnotation ? childrenOf(returnAnnotation).filter((child) => child.name !== ":").pop() : undefined;
  const docstring = docstringOf(fn, text);
  const requestBody = bodyOf(interp, fn, bodyParams, text, uniqueIdFor);
  return {
    pathParams,
    queryParams,
    ...(requestBody ? { requestBody } : {}),
    ...(returnNode ? { returnAnnotation: text(returnNode) } : {}),
    ...(docstring === undefined ? {} : { docstring }),
  };
};

const bodyOf = (
  interp: Interpreter,
  fn: FunctionValue,
  bodyParams: ParamSyntax[],
  text: (node: SyntaxNode) => string,
  uniqueIdFor: () => string,
): RequestBody | undefined => {
  const [single] = bodyParams;
  if (!single) return undefined;
  const marker = markerOf(text, single.defaultValue);
  const embedded = bodyParams.length > 1 || marker === "Form" || marker === "File" || /embed\s*=\s*True/.test(single.defaultValue ? text(single.defaultValue) : "");
  if (embedded) {
    return {
      model: `Body_${uniqueIdFor()}`,
      fields: bodyParams.map((param) => ({ name: param.name, ...(param.annotation ? { type: text(param.annotation) } : {}) })),
    };
  }
  const annotation = single.annotation ? unwrapOptional(text, single.annotation) : null;
  if (!annotation) return { model: single.name };
  if (isGeneric(annotation)) return { model: text(annotation) };
  const resolved = evaluate(interp, annotation, fn.closure);
  if (resolved.kind !== "class") return { model: lastSegment(text(annotation)) };
  return { model: resolved.cls.name, fields: classFields(resolved.cls) };
};

/** Annotated class attributes (`name: str = ...`), base classes first, as pydantic collects them. */
const classFields = (cls: ClassValue, seen = new Set<ClassValue>()): Param[] => {
  if (seen.has(cls)) return [];
  seen.add(cls);
  const fields = new Map<string, Param>();
  for (const base of cls.bases) if (base.kind === "class") for (const field of classFields(base.cls, seen)) fields.set(field.name, field);
  const parsed = cls.module.parsed;
  const body = childrenOf(cls.node).find((child) => child.name === "Body");
  for (const statement of body ? childrenOf(body) : []) {
    if (statement.name !== "AssignStatement") continue;
    const [target, typeDef] = childrenOf(statement);
    if (target?.name !== "VariableName" || typeDef?.name !== "TypeDef" || !parsed) continue;
    const name = parsed.text(target);
    const typeNode = childrenOf(typeDef).filter((child) => child.name !== ":").pop();
    if (name.startsWith("_") || name === "model_config") continue;
    fields.set(name, { name, ...(typeNode ? { type: parsed.text(typeNode) } : {}) });
  }
  return [...fields.values()];
};

const docstringOf = (fn: FunctionValue, text: (node: SyntaxNode) => string): string | undefined => {
  const body = childrenOf(fn.node).find((child) => child.name === "Body");
  const first = body ? childrenOf(body).find((child) => child.name !== ":" && child.name !== "Comment") : undefined;
  const literal = first?.name === "ExpressionStatement" ? first.firstChild : null;
  if (!literal || (literal.name !== "String" && literal.name !== "ContinuedString")) return undefined;
  const pieces = literal.name === "String" ? [literal] : childrenOf(literal);
  let value = "";
  for (const piece of pieces) {
    const token = splitStringToken(text(piece));
    if (!token || piece.name !== "String") return undefined;
    value += unescapePython(token.body, token.prefix.includes("r"));
  }
  return value;
};

export const descriptionFromDocstring = (docstring: string | undefined): string | undefined => {
  if (docstring === undefined) return undefined;
  const description = (cleandoc(docstring).split("\f")[0] ?? "").trim();
  return description || undefined;
};
