// The interactive API reference: Swagger UI (vendored from the swagger-ui-dist package, loaded
// before this module) over the gateway's own /api/openapi.json. In local mode it signs in as the
// page does, so "Try it out" works at once; otherwise the user pastes a token under Authorize.

interface SwaggerUi {
  preauthorizeApiKey: (scheme: string, value: string) => void;
}
type SwaggerUiBundle = (options: Record<string, unknown>) => SwaggerUi;

const bundle = (globalThis as { SwaggerUIBundle?: SwaggerUiBundle }).SwaggerUIBundle;
const target = document.getElementById("swagger-ui");
const localMode = document.body.dataset.localMode === "true";

const signInLocally = async (ui: SwaggerUi) => {
  const res = await fetch("/api/dev/token", { method: "POST" }).catch(() => undefined);
  const body = res?.ok === true ? await res.json() as { token?: unknown } : undefined;
  if (typeof body?.token === "string") ui.preauthorizeApiKey("bearer", body.token);
};

if (bundle === undefined || target === null) {
  if (target !== null) target.textContent = "The API reference could not load Swagger UI; the document itself is at /api/openapi.json.";
} else {
  const ui = bundle({
    url: "/api/openapi.json",
    domNode: target,
    deepLinking: true,
    displayRequestDuration: true,
    // No call to the public validator: nothing leaves this machine.
    validatorUrl: null,
    onComplete: () => {
      document.body.dataset.ready = "true";
      if (localMode) void signInLocally(ui);
    },
  });
}
