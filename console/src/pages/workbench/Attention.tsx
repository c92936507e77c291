// 优先跟进: the employee's customers whose own activity is newest (opened content, added,
// joined or left a group in the last 30 days), each with what they did and when — until an
// intent score ranks them.
import { useCallback, useRef, useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { InfiniteScroll, List, NoticeBar } from 'antd-mobile'
import { get, type Page, type Schemas } from '../../api'
import { useI18n } from '../../i18n'
import { ago, CustomerRow, reason, toast } from './common'

type Row = Schemas['AttentionOut']

export default function AttentionTab() {
  const { tr } = useI18n()
  const nav = useNavigate()
  const [items, setItems] = useState<Row[]>([])
  const [hasMore, setHasMore] = useState(true)
  const cursor = useRef<string | null>(null)

  const loadMore = useCallback(async () => {
    try {
      const page = await get<Page<Row>>('/frontline/attention', { cursor: cursor.current ?? undefined, limit: 20 })
      cursor.current = page.next_cursor
      setItems((xs) => [...xs, ...page.items])
      setHasMore(!!page.next_cursor)
    } catch (e) {
      setHasMore(false)
      toast(e instanceof Error ? e.message : String(e), 'fail')
    }
  }, [])

  return (
    <div data-testid="wb-attention">
      <NoticeBar content={tr('按客户最近的动作排序：最近有动作的客户最值得先跟进。', 'Newest customer activity first: who just did something is worth following up first.')} color="info" wrap />
      <List>
        {items.map((r) => (
          <CustomerRow
            key={r.customer_id}
            c={{ id: r.customer_id, name: r.remark ? `${r.name}（${r.remark}）` : r.name, avatar: r.avatar }}
            testId={`wb-attention-${r.customer_id}`}
            onClick={() => nav(`/m/customers/${r.customer_id}`)}
            extra={`${reason(r.kind, r.data, tr)} · ${ago(r.at, tr)}`}
          />
        ))}
      </List>
      <InfiniteScroll loadMore={loadMore} hasMore={hasMore}>
        {hasMore ? tr('加载中…', 'Loading…') : items.length ? tr('没有更多了', 'No more') : tr('近 30 天你的客户没有新动作', 'None of your customers did anything in the last 30 days')}
      </InfiniteScroll>
    </div>
  )
}
