import type { LaunchView, StatusView } from "../../libs/previews/contract.ts";
import type { PreviewRow } from "./preview-rows.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const previewUrls = (publicUrl: string, row: Pick<PreviewRow, "id" | "generationId">) => {
  const baseUrl = `${publicUrl}/p/${row.id}`;
  return {
    baseUrl,
    previewUrl: `${baseUrl}/`,
    healthCheckUrl: `${publicUrl}/api/generations/${row.generationId}/preview/status`,
  };
};

export const launchView = (publicUrl: string, row: PreviewRow, previewToken: string): LaunchView => {
  const { baseUrl, previewUrl, healthCheckUrl } = previewUrls(publicUrl, row);
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

export const statusView = (publicUrl: string, row: PreviewRow, now: number): StatusView => {
  const { baseUrl, previewUrl } = previewUrls(publicUrl, row);
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
    exitCode: row.exitCode,
    errorMessage: row.errorMessage,
    generatedEndpoints: [],
  };
};
