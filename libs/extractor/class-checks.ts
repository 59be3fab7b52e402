// isinstance() and issubclass() over classes the project defines (and the library classes they
// name): settings objects built from many mixins decide which routes and returns a factory takes
// (`if isinstance(settings, EnvironmentSettings): ... return application`). Answered only when
// certain: null when the object's class or some base on the way is only known at run time.
import type { ClassValue, Value } from "./values.ts";

/** True/false when the hierarchy settles it, else null. */
export const isSubclass = (cls: ClassValue, target: Value): boolean | null => {
  const targets = target.kind === "seq" ? target.items : [target];
  if (targets.some((candidate) => candidate.kind !== "class" && candidate.kind !== "external")) return null;
  let uncertain = false;
  const seen = new Set<ClassValue>();
  const pending: ClassValue[] = [cls];
  while (pending.length > 0) {
    const current = pending.pop() as ClassValue;
    if (seen.has(current)) continue;
    seen.add(current);
    if (targets.some((candidate) => candidate.kind === "class" && candidate.cls === current)) return true;
    for (const base of current.bases) {
      if (base.kind === "class") pending.push(base.cls);
      else if (base.kind === "external") {
        if (targets.some((candidate) => candidate.kind === "external" && candidate.name === base.name)) return true;
        // A library class may itself derive from the target (BaseSettings from BaseModel): not known here.
        if (targets.some((candidate) => candidate.kind === "external")) uncertain = true;
      } else uncertain = true;
    }
  }
  return uncertain ? null : false;
};

/** `isinstance(value, target)`: for objects of a known class only. */
export const isInstance = (value: Value, target: Value): boolean | null =>
  value.kind === "object" && value.obj.cls ? isSubclass(value.obj.cls, target) : null;
