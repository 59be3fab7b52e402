/**
 * A generated-style FastAPI app that is two things at once: an ordinary app with its own login
 * (a session cookie, and an OAuth2 password flow issuing an HMAC JWT, made by hand so that no
 * package is needed), and a hostile page whose script, once loaded, tries everything a preview's
 * script could try against the platform and other previews. It writes what it managed to
 * `window.__attack` for the test to read. Runs on Debian's python3-fastapi (0.92, pydantic 1).
 */
export const hostileApp = {
  "main.py": String.raw`import base64, hashlib, hmac, json, time
from urllib.parse import parse_qs
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel

app = FastAPI(title="notes")
# What generators often write: any origin, with credentials (Starlette then reflects the caller's Origin).
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"])

SECRET = b"the-apps-own-secret"
USERS = {"ada": "lovelace"}
hits = {"secret": 0}
oauth2 = OAuth2PasswordBearer(tokenUrl="token")

def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

def make_jwt(sub):
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64(json.dumps({"sub": sub, "exp": int(time.time()) + 600}).encode())
    sig = b64(hmac.new(SECRET, f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{sig}"

def read_jwt(token):
    try:
        head, body, sig = token.split(".")
        good = b64(hmac.new(SECRET, f"{head}.{body}".encode(), hashlib.sha256).digest())
        if not hmac.compare_digest(sig, good):
            return None
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        return claims["sub"] if claims["exp"] > time.time() else None
    except Exception:
        return None

@app.post("/token")
async def token(request: Request):
    form = parse_qs((await request.body()).decode())
    user, password = form.get("username", [""])[0], form.get("password", [""])[0]
    if USERS.get(user) != password:
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    return {"access_token": make_jwt(user), "token_type": "bearer"}

@app.get("/users/me")
def me(token: str = Depends(oauth2)):
    user = read_jwt(token)
    if user is None:
        raise HTTPException(status_code=401, detail="Invalid token", headers={"WWW-Authenticate": "Bearer"})
    return {"username": user, "via": "bearer"}

class Login(BaseModel):
    username: str
    password: str

@app.post("/session")
def login(body: Login, response: Response):
    if USERS.get(body.username) != body.password:
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    response.set_cookie("session", make_jwt(body.username), httponly=True, samesite="lax", path="/")
    return {"ok": True}

@app.get("/session/me")
def session_me(request: Request):
    user = read_jwt(request.cookies.get("session", ""))
    if user is None:
        raise HTTPException(status_code=401, detail="Not signed in")
    return {"username": user, "via": "cookie"}

@app.get("/secret")
def secret():
    hits["secret"] += 1
    return {"secret": "only-for-this-preview"}

@app.get("/hits")
def get_hits():
    return hits

@app.get("/toss")
def toss(response: Response, platform_host: str = ""):
    # Cookies aimed at the platform's origin and at every preview; a browser must keep them off the platform.
    response.set_cookie("tossed_platform", "1", domain=platform_host, path="/")
    response.set_cookie("tossed_localhost", "1", domain="localhost", path="/")
    return {"ok": True}

@app.get("/", response_class=HTMLResponse)
def page():
    return PAGE

PAGE = """<!doctype html><html><body><h1>notes</h1><script>
const params = new URLSearchParams(location.hash.slice(1));
const platform = params.get("platform"), other = params.get("other");
const out = { ownStorage: JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) };
const attempt = async (name, f) => {
  try { out[name] = "read: " + String(await f()); } catch (e) { out[name] = "blocked: " + (e && e.name); }
};
(async () => {
  await attempt("platformPage", async () => (await fetch(platform + "/")).text());
  await attempt("devToken", async () => (await fetch(platform + "/api/dev/token", { method: "POST" })).text());
  await attempt("devTokenNoCors", async () => (await fetch(platform + "/api/dev/token", { method: "POST", mode: "no-cors" })).type);
  await attempt("platformApi", async () => (await fetch(platform + "/api/generations", { credentials: "include" })).text());
  await attempt("otherPreview", async () => (await fetch(other + "/secret", { credentials: "include" })).text());
  await attempt("otherPreviewViaPath", async () => (await fetch(platform + "/p/" + new URL(other).hostname.split(".")[0] + "/secret", { credentials: "include" })).text());
  await attempt("openerStorage", async () => window.opener ? window.opener.sessionStorage.getItem("previewTab.token") : "no opener");
  await attempt("popupStorage", async () => {
    const w = window.open(platform + "/", "_blank");
    if (!w) return "no window";
    // Until it has navigated it is about:blank, of this origin; then reading it throws.
    for (let i = 0; i < 200; i++) {
      let href;
      try { href = w.location.href; } catch (e) { break; }
      if (href !== "about:blank") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return w.sessionStorage.getItem("previewTab.token");
  });
  await attempt("frame", () => new Promise((resolve, reject) => {
    const f = document.createElement("iframe");
    f.src = platform + "/";
    f.onload = () => { try { resolve(f.contentWindow.sessionStorage.getItem("previewTab.token")); } catch (e) { reject(e); } };
    document.body.append(f);
  }));
  document.cookie = "script_tossed=1; domain=localhost; path=/";
  document.cookie = "script_tossed_ip=1; domain=" + new URL(platform).hostname + "; path=/";
  await fetch("/toss?platform_host=" + new URL(platform).hostname);
  // The app's own login, from its own page: a session cookie, and a bearer token.
  const login = await fetch("/session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "ada", password: "lovelace" }) });
  out.cookieLogin = login.status + " " + JSON.stringify(await (await fetch("/session/me")).json());
  const issued = await (await fetch("/token", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "username=ada&password=lovelace" })).json();
  out.bearerLogin = JSON.stringify(await (await fetch("/users/me", { headers: { authorization: "Bearer " + issued.access_token } })).json());
  window.__attack = out;
})();
</script></body></html>"""
`,
};
