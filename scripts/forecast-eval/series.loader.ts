import { Frequency, fromEpochDay, isoWeekStart, toEpochDay } from '@app/forecasting';
import { readCsv, readCsvHeader } from './csv.reader';
import { Aggregation, OptionError } from './eval.options';

export interface LoadedSeries {
  id: string;
  /** Period labels, consecutive (gaps filled with zero). */
  periods: string[];
  values: number[];
  /** Periods that had no row and were filled with zero. */
  filled: number;
  /** Periods whose value was negative (returns above sales) and was floored at zero demand. */
  floored: number;
}

/** Period index of a time stamp: days since 1970, ISO-week Monday as days, or months since 1970-01. */
function periodIndex(time: string, freq: Frequency): number {
  const m = /^(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?/.exec(time.trim());
  if (!m) return Number.NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (freq === 'month') return year * 12 + (month - 1);
  if (m[3] === undefined) return Number.NaN;
  const day = toEpochDay(`${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`);
  return freq === 'day' ? day : isoWeekStart(day);
}

function periodLabel(index: number, freq: Frequency): string {
  if (freq === 'month') return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  return fromEpochDay(index);
}

/**
 * Reads a long-format file into one regular series per id. Times are ISO dates (a time of day is ignored) or
 * `YYYY-MM` for monthly data; weekly periods are ISO weeks (Monday start). Values are demand: a period whose net value
 * is negative (returns above sales) counts as zero.
 */
export async function loadSeries(options: {
  file: string;
  id?: string;
  time: string;
  value: string;
  freq: Frequency;
  agg: Aggregation;
}): Promise<LoadedSeries[]> {
  const header = await readCsvHeader(options.file);
  for (const [flag, column] of [
    ['--id', options.id],
    ['--time', options.time],
    ['--value', options.value],
  ] as const) {
    if (column !== undefined && !header.includes(column)) {
      throw new OptionError(`Option ${flag}: column "${column}" is not in the file. Columns: ${header.join(', ')}.`);
    }
  }
  const step = options.freq === 'week' ? 7 : 1;
  const data = new Map<string, Map<number, { sum: number; count: number; last: number }>>();
  let row = 1;
  for await (const record of readCsv(options.file)) {
    row++;
    const id = options.id ? record[options.id] : 'all';
    const index = periodIndex(record[options.time], options.freq);
    if (!Number.isFinite(index))
      throw new Error(
        `Row ${row}: cannot read time "${record[options.time]}" in column ${options.time} as a ${options.freq}.`,
      );
    const raw = record[options.value];
    const value = raw === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(value))
      throw new Error(`Row ${row}: value "${raw}" in column ${options.value} is not a number.`);
    let series = data.get(id);
    if (!series) data.set(id, (series = new Map()));
    const cell = series.get(index);
    if (cell) {
      if (options.agg === 'none') {
        throw new OptionError(
          `Series "${id}" has several rows for period ${periodLabel(index, options.freq)} (row ${row}): pass --agg sum, mean or last.`,
        );
      }
      cell.sum += value;
      cell.count++;
      cell.last = value;
    } else series.set(index, { sum: value, count: 1, last: value });
  }
  const out: LoadedSeries[] = [];
  for (const [id, cells] of data) {
    const keys = [...cells.keys()].sort((a, b) => a - b);
    const periods: string[] = [];
    const values: number[] = [];
    let filled = 0;
    let floored = 0;
    for (let k = keys[0]; k <= keys[keys.length - 1]; k += step) {
      const cell = cells.get(k);
      periods.push(periodLabel(k, options.freq));
      if (!cell) {
        filled++;
        values.push(0);
        continue;
      }
      const v = options.agg === 'mean' ? cell.sum / cell.count : options.agg === 'last' ? cell.last : cell.sum;
      if (v < 0) floored++;
      values.push(Math.max(0, v));
    }
    out.push({ id, periods, values, filled, floored });
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
