/** @module report The compliance report for a date range (DESIGN §14). */
export { buildReport, resolveRange, type ComplianceReport, type DayRow, type GatedRun, type ReportRange, type ReportSources } from './build-report.js';
export { chartLines, sparkline } from './chart.js';
export { renderReport, REPORT_FORMATS, type ReportFile, type ReportFormat } from './render.js';
export { ReportService, type ReportServiceOptions } from './report-service.js';
