// Shared list plumbing: a filter bar, cursor pages and server-side sorting (the API orders every
// page, so a sorted column holds across pages, not just the rows on screen).
import { useCallback, useState, type ReactNode } from 'react'
import { Button, Card, Form, Space, Typography, type FormInstance, type TableProps } from 'antd'
import type { SortOrder } from 'antd/es/table/interface'
import { get, type Page } from './api'
import { useLoad } from './hooks'
import { useI18n } from './i18n'

type Params = Record<string, string | number | boolean | string[] | undefined | null>

/** One cursor-paginated, server-sorted list: reloads when `params` change, back to page 1. */
export function useCursorList<T>(path: string, params: Params, opts: { limit?: number; sort?: string } = {}) {
  const limit = opts.limit ?? 20
  const [sort, setSortState] = useState<string | undefined>(opts.sort)
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const key = JSON.stringify(params)
  const [seen, setSeen] = useState(key)
  if (seen !== key) {
    // filters changed: start again from the first page (derived state, set during render)
    setSeen(key)
    setCursors([null])
  }
  const cursor = seen === key ? cursors[cursors.length - 1] : null
  const page = useLoad(
    () => get<Page<T>>(path, { ...params, sort, limit, cursor }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [path, key, sort, cursor, limit],
  )
  const setSort = useCallback((s: string | undefined) => {
    setSortState(s)
    setCursors([null])
  }, [])
  /** Table onChange: a click on a sortable column header asks the API for that order. */
  const onChange: TableProps<T>['onChange'] = (_p, _f, sorter) => {
    const s = Array.isArray(sorter) ? sorter[0] : sorter
    const field = String(s?.columnKey ?? s?.field ?? '')
    setSort(s?.order && field ? `${s.order === 'descend' ? '-' : ''}${field}` : opts.sort)
  }
  /** Column props of a column the API can sort by (`key` is the API's sort key). */
  const sortable = (k: string) => ({
    key: k,
    sorter: true,
    // ascend ⇄ descend (antd cancels the sort after the last entry; the list always has an order)
    sortDirections: ['ascend', 'descend', 'ascend'] as SortOrder[],
    sortOrder: (sort === k ? 'ascend' : sort === `-${k}` ? 'descend' : null) as SortOrder,
  })
  return {
    page,
    sort,
    setSort,
    onChange,
    sortable,
    pageNo: cursors.length,
    hasPrev: cursors.length > 1,
    hasNext: !!page.data?.next_cursor,
    prev: () => setCursors((c) => (c.length > 1 ? c.slice(0, -1) : c)),
    next: () => page.data?.next_cursor && setCursors((c) => [...c, page.data?.next_cursor ?? null]),
  }
}

export type CursorList = Pick<ReturnType<typeof useCursorList>, 'pageNo' | 'hasPrev' | 'hasNext' | 'prev' | 'next'>

/** Previous / page n / next under a table. */
export function Pager({ list }: { list: CursorList }) {
  const { tr } = useI18n()
  return (
    <Space style={{ marginTop: 12, justifyContent: 'flex-end', width: '100%' }} data-testid="pager">
      <Button disabled={!list.hasPrev} onClick={list.prev}>
        {tr('上一页', 'Previous')}
      </Button>
      <Typography.Text type="secondary" data-testid="page-no">
        {tr(`第 ${list.pageNo} 页`, `Page ${list.pageNo}`)}
      </Typography.Text>
      <Button disabled={!list.hasNext} onClick={list.next}>
        {tr('下一页', 'Next')}
      </Button>
    </Space>
  )
}

/** An inline filter form in a card with 筛选 / 重置; `onApply` gets the form's values. */
export function FilterBar<F extends object>({
  form,
  onApply,
  children,
}: {
  form: FormInstance<F>
  onApply: (values: F) => void
  children: ReactNode
}) {
  const { tr } = useI18n()
  return (
    <Card>
      <Form form={form} layout="inline" onFinish={onApply} style={{ rowGap: 8 }}>
        {children}
        <Space>
          <Button type="primary" htmlType="submit">
            {tr('筛选', 'Filter')}
          </Button>
          <Button
            onClick={() => {
              form.resetFields()
              onApply({} as F)
            }}
          >
            {tr('重置', 'Reset')}
          </Button>
        </Space>
      </Form>
    </Card>
  )
}
