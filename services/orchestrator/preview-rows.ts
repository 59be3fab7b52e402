// The preview lifecycle's rows, now part of the orchestrator's store (store/contract.ts).
export type { NewPreviewRow, PreviewPatch, PreviewRow, PreviewRows } from "./store/contract.ts";
