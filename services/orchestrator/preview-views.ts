import { Schema } from "effect";
import type { Origins } from "../../libs/config/origins.ts";
import type { LaunchView, StatusView } from "../../libs/previews/contract.ts";
import { PreviewFailure } from "../../libs/previews/failure.ts";
import type { PreviewRow } from "./preview-rows.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A preview is served at its own origin (libs/config/origins.ts); its status on the platform's. */
export const previewUrls = (origins: Origins, row: Pick<PreviewRow, "id" | "generationId">) => {
  const baseUrl = origins.previewOrigin(row.id);
  return {
    baseUrl,
    previewUrl: `${baseUrl}/`,
    healthCheckUrl: `${origins.platform}/api/generations/${row.generationId}/preview/status`,
  };
};

export const launchView = (origins: Origins, row: PreviewRow, previewToken: string): LaunchView => {
  const { baseUrl, previewUrl, healthCheckUrl } = previewUrls(origins, row);
  return {
    status: row.status,
    previewInstanceId: row.id,
    generationId: row.generationId,
    baseUrl,
    previewUrl,
    previewToken,
    expiresAt: new Date(row.expiresAt).toISOString(),
    healthCheckUrl,
  };
};

const decodeFailure = Schema.decodeUnknownOption(Schema.fromJsonString(PreviewFailure));

/** The stored diagnosis of a failed or crashed preview. */
export const failureOf = (row: Pick<PreviewRow, "failure">): PreviewFailure | null => {
  if (row.failure === null) return null;
  const decoded = decodeFailure(row.failure);
  return decoded._tag === "Some" ? decoded.value : null;
};

export const statusView = (origins: Origins, row: PreviewRow, now: number): StatusView => {
  const { baseUrl, previewUrl } = previewUrls(origins, row);
  return {
    previewInstanceId: row.id,
    status: row.status,
    baseUrl,
    previewUrl,
    uptime: row.startedAt === null ? null : Math.round(((row.stoppedAt ?? now) - row.startedAt) / 1000),
    lastHealthCheck: iso(row.lastHealthCheck),
    healthStatus: row.healthStatus,
    createdAt: new Date(row.createdAt).toISOString(),
    startedAt: iso(row.startedAt),
    stoppedAt: iso(row.stoppedAt),
    expiresAt: new Date(row.expiresAt).toISOString(),
    lastActivityAt: new Date(row.lastActivityAt).toISOString(),
    exitCode: row.exitCode,
    errorMessage: row.errorMessage,
    failure: failureOf(row),
    node: row.node,
    generatedEndpoints: [],
  };
};
