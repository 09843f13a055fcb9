import { strict as assert } from 'node:assert';
import {
  addColumn, availableColumnIds, clampWidth, defaultColumns, displayOrder, isSortable, MAX_COLUMN_WIDTH, MIN_COLUMN_WIDTH,
  moveColumn, parseColumnId, initialColumns, pinColumn, pinnedOffsets, removeColumn, requestedKeys, resizeColumn, sanitizeColumns, columnTitle,
} from '../../../src/core/runsTable/columns';
import { nextSort, orderByClause } from '../../../src/core/runsTable/orderBy';

describe('runs table column model', () => {
  it('starts with status, run, experiment, start, duration; status and run pinned', () => {
    const cols = defaultColumns();
    assert.deepEqual(cols.map((c) => c.id), ['attributes.status', 'attributes.run_name', 'attributes.experiment', 'attributes.start_time', 'attributes.duration']);
    assert.deepEqual(cols.filter((c) => c.pinned).map((c) => c.id), ['attributes.status', 'attributes.run_name']);
  });

  it('parses ids and titles', () => {
    assert.deepEqual(parseColumnId('metrics.val.loss'), { kind: 'metric', key: 'val.loss' });
    assert.deepEqual(parseColumnId('params.max_depth'), { kind: 'param', key: 'max_depth' });
    assert.equal(parseColumnId('metrics.'), undefined);
    assert.equal(parseColumnId('bogus.x'), undefined);
    assert.equal(columnTitle('attributes.start_time'), 'Started');
    assert.equal(columnTitle('tags.team'), 'team');
    assert.equal(isSortable('attributes.duration'), false);
    assert.equal(isSortable('metrics.f1'), true);
  });

  it('adds (once), removes and moves columns', () => {
    let cols = addColumn(defaultColumns(), 'metrics.f1');
    cols = addColumn(cols, 'metrics.f1');
    assert.equal(cols.filter((c) => c.id === 'metrics.f1').length, 1);
    cols = addColumn(cols, 'params.lr');
    cols = moveColumn(cols, 'params.lr', 2);
    assert.deepEqual(cols.map((c) => c.id).slice(0, 4), ['attributes.status', 'attributes.run_name', 'params.lr', 'attributes.experiment']);
    cols = moveColumn(cols, 'params.lr', 999);
    assert.equal(cols.at(-1)!.id, 'params.lr');
    cols = removeColumn(cols, 'metrics.f1');
    assert.equal(cols.some((c) => c.id === 'metrics.f1'), false);
    assert.deepEqual(moveColumn(cols, 'missing', 0), cols);
  });

  it('pins columns to the left and computes their sticky offsets', () => {
    let cols = addColumn(defaultColumns(), 'metrics.f1');
    cols = pinColumn(cols, 'metrics.f1', true);
    assert.deepEqual(displayOrder(cols).map((c) => c.id).slice(0, 3), ['attributes.status', 'attributes.run_name', 'metrics.f1']);
    const offsets = pinnedOffsets(cols);
    assert.equal(offsets.get('attributes.status'), 0);
    assert.equal(offsets.get('attributes.run_name'), 56);
    assert.equal(offsets.get('metrics.f1'), 56 + 200);
    assert.equal(offsets.has('attributes.experiment'), false);
    cols = pinColumn(cols, 'attributes.status', false);
    assert.equal(pinnedOffsets(cols).get('attributes.run_name'), 0);
  });

  it('resizes within limits', () => {
    const cols = resizeColumn(defaultColumns(), 'attributes.run_name', 5);
    assert.equal(cols[1].width, MIN_COLUMN_WIDTH);
    assert.equal(resizeColumn(cols, 'attributes.run_name', 1e6)[1].width, MAX_COLUMN_WIDTH);
    assert.equal(clampWidth(Number.NaN), MIN_COLUMN_WIDTH);
    assert.equal(clampWidth(133.6), 134);
  });

  it('sanitises a saved layout: drops junk and duplicates, keeps the run column', () => {
    const saved = [
      { id: 'metrics.f1', width: 99999, pinned: true }, { id: 'metrics.f1', width: 80 }, 'junk', null,
      { id: 'attributes.bogus', width: 80 }, { id: 'nope.x', width: 80 }, { id: 'params.lr' },
    ];
    const cols = sanitizeColumns(saved);
    assert.deepEqual(cols.map((c) => c.id), ['metrics.f1', 'params.lr', 'attributes.run_name']);
    assert.equal(cols[0].width, MAX_COLUMN_WIDTH);
    assert.equal(cols[1].pinned, false);
    assert.deepEqual(sanitizeColumns(undefined), defaultColumns());
  });

  it('lists requested and available keys', () => {
    assert.deepEqual(requestedKeys(['attributes.status', 'metrics.f1', 'params.lr', 'tags.team', 'metrics.loss']),
      { params: ['lr'], metrics: ['f1', 'loss'], tags: ['team'] });
    assert.deepEqual(availableColumnIds({ params: ['lr'], metrics: ['f1'], tags: [] }).slice(-2), ['params.lr', 'metrics.f1']);
  });

  it('starts a first-time dashboard with a few metric and param columns', () => {
    const cols = initialColumns({ params: ['a', 'b', 'c', 'd'], metrics: ['f1', 'loss'], tags: ['team'] });
    assert.deepEqual(cols.slice(5).map((c) => c.id), ['metrics.f1', 'metrics.loss', 'params.a', 'params.b', 'params.c']);
    assert.deepEqual(initialColumns({ params: [], metrics: [], tags: [] }), defaultColumns());
  });

  it('turns sorts into MLflow order-by clauses and cycles direction', () => {
    assert.equal(orderByClause({ column: 'metrics.f1', direction: 'desc' }), 'metrics.f1 DESC');
    assert.equal(orderByClause({ column: 'attributes.start_time', direction: 'asc' }), 'attributes.start_time ASC');
    assert.equal(orderByClause({ column: 'metrics.val loss', direction: 'asc' }), 'metrics.`val loss` ASC');
    assert.equal(orderByClause(undefined), undefined);
    const first = nextSort(undefined, 'metrics.f1');
    assert.deepEqual(first, { column: 'metrics.f1', direction: 'desc' });
    assert.deepEqual(nextSort(first, 'metrics.f1'), { column: 'metrics.f1', direction: 'asc' });
    assert.deepEqual(nextSort(first, 'params.lr'), { column: 'params.lr', direction: 'desc' });
  });
});
