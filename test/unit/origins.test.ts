import { ConfigProvider, Effect } from "effect";
import { describe, expect, it } from "vitest";
import { hostnameOf, InvalidOriginConfig, isLoopbackHost, makeOrigins, originsConfig } from "../../libs/config/origins.ts";

const id = "abcdefghij0123456789";

describe("the preview origins (PUBLIC_URL, PREVIEW_ORIGIN, PLATFORM_HOSTS)", () => {
  it("defaults each preview to {id}.preview.localhost on PUBLIC_URL's scheme and port", () => {
    const o = makeOrigins("http://127.0.0.1:8080/", undefined);
    expect(o.platform).toBe("http://127.0.0.1:8080");
    expect(o.previewOrigin(id)).toBe(`http://${id}.preview.localhost:8080`);
    expect(makeOrigins("http://gateway.test", undefined).previewOrigin(id)).toBe(`http://${id}.preview.localhost`);
  });

  it("uses a production template", () => {
    const o = makeOrigins("https://platform.example.com", "https://{id}.previews.example.net", ["internal.example.com"]);
    expect(o.previewOrigin(id)).toBe(`https://${id}.previews.example.net`);
    expect(o.previewIdOfHost(`${id}.previews.example.net`)).toBe(id);
    expect(o.previewIdOfHost(`${id.toUpperCase()}.PREVIEWS.example.net.`)).toBe(id);
    expect(o.isPlatformHost("platform.example.com")).toBe(true);
    expect(o.isPlatformHost("internal.example.com:443")).toBe(true);
    // Not loopback: no loopback name is the platform's.
    expect(o.isPlatformHost("127.0.0.1:8080")).toBe(false);
    expect(o.isPlatformHost("localhost")).toBe(false);
  });

  it.each([
    [`${id}.preview.localhost:8080`, id],
    [`${id}.preview.localhost`, id],
    [`x.${id}.preview.localhost:8080`, undefined],
    ["preview.localhost:8080", undefined],
    [".preview.localhost:8080", undefined],
    [`${id}_x.preview.localhost`, undefined],
    [`${id}.preview.localhost.evil.example`, undefined],
    [`${id}.evilpreview.localhost`, undefined],
    [undefined, undefined],
  ])("reads the preview of Host %j as %j", (host, expected) => {
    expect(makeOrigins("http://127.0.0.1:8080", undefined).previewIdOfHost(host)).toBe(expected);
  });

  it.each([
    ["127.0.0.1:8080", true],
    ["localhost:8080", true],
    ["LOCALHOST", true],
    ["[::1]:8080", true],
    ["attacker.example:8080", false],
    ["127.0.0.1.nip.io", false],
    ["", false],
    [undefined, false],
  ])("a loopback PUBLIC_URL answers on Host %j: %s", (host, expected) => {
    const o = makeOrigins("http://127.0.0.1:8080", undefined);
    expect(o.isPlatformHost(host)).toBe(expected);
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it.each([
    ["not a url", undefined, /PUBLIC_URL "not a url" is not a URL/],
    ["http://127.0.0.1:8080", "https://previews.example.net", /must be scheme:\/\/\{id\}\.<domain>/],
    ["http://127.0.0.1:8080", "https://x{id}.previews.example.net", /must be scheme:\/\/\{id\}\.<domain>/],
    ["http://127.0.0.1:8080", "https://{id}.{id}.example.net", /with \{id\} once/],
    ["http://127.0.0.1:8080", "https://{id}.previews.example.net/app", /must be an origin/],
    ["https://app.previews.example.net", "https://{id}.previews.example.net", /must not be under the preview domain previews\.example\.net/],
  ])("refuses PUBLIC_URL %j with PREVIEW_ORIGIN %j, naming the setting", (publicUrl, template, message) => {
    expect(() => makeOrigins(publicUrl, template)).toThrow(InvalidOriginConfig);
    expect(() => makeOrigins(publicUrl, template)).toThrow(message);
  });

  it("is read from the environment's settings", async () => {
    const o = await Effect.runPromise(originsConfig.parse(ConfigProvider.fromUnknown({
      PUBLIC_URL: "https://platform.example.com", PREVIEW_ORIGIN: "https://{id}.p.example.net", PLATFORM_HOSTS: "a.example.com, b.example.com",
    })));
    expect(o.previewOrigin(id)).toBe(`https://${id}.p.example.net`);
    expect(o.isPlatformHost("b.example.com")).toBe(true);
  });

  it("reads a Host's name without its port", () => {
    expect(hostnameOf("Example.COM:8080")).toBe("example.com");
    expect(hostnameOf("[::1]:8080")).toBe("[::1]");
    expect(hostnameOf("[::1]")).toBe("[::1]");
    expect(hostnameOf("example.com.")).toBe("example.com");
  });
});
