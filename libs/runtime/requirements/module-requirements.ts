/**
 * Which requirements.txt line provides an imported module. Most distributions are imported under
 * their own (normalised) name; these are the common ones that are not.
 */
const distributionsOfModule: Readonly<Record<string, ReadonlyArray<string>>> = {
  jose: ["python-jose"],
  jwt: ["pyjwt"],
  dotenv: ["python-dotenv"],
  multipart: ["python-multipart"],
  psycopg2: ["psycopg2", "psycopg2-binary"],
  psycopg: ["psycopg", "psycopg-binary"],
  yaml: ["pyyaml"],
  PIL: ["pillow"],
  bs4: ["beautifulsoup4"],
  dateutil: ["python-dateutil"],
  sklearn: ["scikit-learn"],
  cv2: ["opencv-python", "opencv-python-headless"],
  magic: ["python-magic"],
  jwcrypto: ["jwcrypto"],
  slugify: ["python-slugify"],
  email_validator: ["email-validator"],
  pydantic_settings: ["pydantic-settings"],
  google: ["google-cloud-storage", "google-auth", "protobuf"],
  Crypto: ["pycryptodome"],
  OpenSSL: ["pyopenssl"],
  socketio: ["python-socketio"],
  telegram: ["python-telegram-bot"],
  serial: ["pyserial"],
  passlib: ["passlib"],
  sqlmodel: ["sqlmodel"],
};

/** PEP 503 normalisation. */
export const normalizeName = (name: string): string => name.toLowerCase().replace(/[-_.]+/g, "-");

/** The distribution name a requirement line starts with (`python-jose[cryptography]>=3` → `python-jose`). */
export const requirementName = (line: string): string | undefined => {
  const match = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line);
  return match?.[1] === undefined ? undefined : normalizeName(match[1]);
};

/** The distributions that usually provide `module`, the first one being the usual name to add. */
export const candidateDistributions = (module: string): ReadonlyArray<string> =>
  distributionsOfModule[module] ?? [normalizeName(module)];

/** The requirements.txt line (as written) that provides `module`, if one does. */
export const requirementForModule = (module: string, lines: ReadonlyArray<string>): string | undefined => {
  const wanted = new Set(candidateDistributions(module));
  return lines.find((line) => {
    const name = requirementName(line);
    return name !== undefined && wanted.has(name);
  });
};

/** requirements.txt's requirement lines as written: no comments, options or blanks. */
export const requirementLines = (text: string): ReadonlyArray<string> =>
  text.replace(/\\\r?\n/g, "").split(/\r?\n/).map((l) => l.replace(/(^|\s)#.*$/, "").trim()).filter((l) => l !== "" && !l.startsWith("-"));
