// 我的客户: the signed-in employee's customers, searched by name or remark and filtered by
// tag, stage, channel code and date added, loaded page by page as the list scrolls.
import { useCallback, useEffect, useRef, useState } from 'react'
import { useNavigate } from 'react-router-dom'
import { Button, InfiniteScroll, List, Popup, SearchBar, Selector, Space, Tag } from 'antd-mobile'
import { get, type Customer, type Page, type Schemas, type TagGroup } from '../../api'
import { useAuth } from '../../auth'
import { useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { CustomerRow, TagLine, toast } from './common'

type Stage = Schemas['CustomerStageOut']
type ChannelCode = Schemas['ChannelCodeOut']

interface Filters {
  tags: string[]
  stage?: number
  state?: string
  added?: number // days back: 1 (today), 7, 30
}

const PAGE = 20

function since(days: number): string {
  const d = new Date()
  d.setHours(0, 0, 0, 0)
  d.setDate(d.getDate() - (days - 1))
  return d.toISOString()
}

export default function MyCustomers() {
  const { tr } = useI18n()
  const { me } = useAuth()
  const nav = useNavigate()
  const [keyword, setKeyword] = useState('')
  const [filters, setFilters] = useState<Filters>({ tags: [] })
  const [draft, setDraft] = useState<Filters>({ tags: [] })
  const [open, setOpen] = useState(false)
  const [items, setItems] = useState<Customer[]>([])
  const [hasMore, setHasMore] = useState(true)
  const cursor = useRef<string | null>(null)
  const generation = useRef(0)
  const groups = useLoad(() => get<TagGroup[]>('/tags/groups'), [])
  const stages = useLoad(() => get<Stage[]>('/customer-stages'), [])
  const channels = useLoad(() => get<Page<ChannelCode>>('/acquisition/channels', { limit: 200, userid: me?.userid ?? undefined }).catch(() => null), [me?.userid])

  // a new search or filter starts the list over
  useEffect(() => {
    generation.current += 1
    cursor.current = null
    setItems([])
    setHasMore(true)
  }, [keyword, filters])

  const loadMore = useCallback(async () => {
    const mine = generation.current
    try {
      const page = await get<Page<Customer>>('/customers', {
        userid: me?.userid ?? undefined,
        keyword: keyword || undefined,
        tags_any: filters.tags.length ? filters.tags : undefined,
        stage_id: filters.stage,
        state: filters.state,
        added_from: filters.added ? since(filters.added) : undefined,
        cursor: cursor.current ?? undefined,
        limit: PAGE,
      })
      if (mine !== generation.current) return // an older search answered late
      cursor.current = page.next_cursor
      setItems((xs) => [...xs, ...page.items])
      setHasMore(!!page.next_cursor)
    } catch (e) {
      setHasMore(false)
      toast(e instanceof Error ? e.message : String(e), 'fail')
    }
  }, [keyword, filters, me?.userid])

  const active = filters.tags.length + (filters.stage ? 1 : 0) + (filters.state ? 1 : 0) + (filters.added ? 1 : 0)
  const tagOptions = (groups.data ?? []).flatMap((g) => g.tags.map((t) => ({ label: t.name, value: t.tag_id, group: g.name })))
  return (
    <div data-testid="wb-customers">
      <Space style={{ width: '100%', padding: '8px 12px', '--gap': '8px' }} align="center">
        <div style={{ flex: 1 }}>
          <SearchBar
            placeholder={tr('搜索客户姓名或备注', 'Search name or remark')}
            onSearch={(v) => setKeyword(v.trim())}
            onClear={() => setKeyword('')}
            data-testid="wb-search"
          />
        </div>
        <Button size="small" fill={active ? 'solid' : 'outline'} color="primary" onClick={() => { setDraft(filters); setOpen(true) }} data-testid="wb-filter">
          {tr('筛选', 'Filter')}{active ? ` ${active}` : ''}
        </Button>
      </Space>
      <List>
        {items.map((c) => (
          <CustomerRow
            key={c.id}
            c={c}
            testId="wb-customer"
            onClick={() => nav(`/m/customers/${c.id}`)}
            extra={
              <Space direction="vertical" style={{ '--gap': '2px' }}>
                <span>
                  {c.remarks[0] ? `${tr('备注', 'Remark')}：${c.remarks[0]} · ` : ''}
                  {tr('添加于', 'Added')} {fmtTime(c.first_added_at)}
                  {c.stage_name ? ' ' : ''}
                  {c.stage_name && <Tag color="success" fill="outline">{c.stage_name}</Tag>}
                </span>
                <TagLine names={c.tags.map((t) => t.name)} />
              </Space>
            }
          />
        ))}
      </List>
      <InfiniteScroll loadMore={loadMore} hasMore={hasMore}>
        {hasMore ? tr('加载中…', 'Loading…') : items.length ? tr('没有更多了', 'No more') : tr('没有符合条件的客户', 'No customer matches')}
      </InfiniteScroll>
      <Popup visible={open} onMaskClick={() => setOpen(false)} bodyStyle={{ maxHeight: '80vh', overflowY: 'auto', padding: 12 }}>
        <div data-testid="wb-filter-panel">
          <h4>{tr('添加时间', 'Date added')}</h4>
          <Selector
            columns={3}
            options={[
              { label: tr('今天', 'Today'), value: 1 },
              { label: tr('近 7 天', 'Last 7 days'), value: 7 },
              { label: tr('近 30 天', 'Last 30 days'), value: 30 },
            ]}
            value={draft.added ? [draft.added] : []}
            onChange={(v) => setDraft({ ...draft, added: v[0] })}
          />
          <h4>{tr('客户阶段', 'Stage')}</h4>
          <Selector
            columns={3}
            options={(stages.data ?? []).map((s) => ({ label: s.name, value: s.id }))}
            value={draft.stage ? [draft.stage] : []}
            onChange={(v) => setDraft({ ...draft, stage: v[0] })}
          />
          {(channels.data?.items.length ?? 0) > 0 && (
            <>
              <h4>{tr('渠道活码', 'Channel code')}</h4>
              <Selector
                columns={2}
                options={(channels.data?.items ?? []).map((c) => ({ label: c.name, value: c.state }))}
                value={draft.state ? [draft.state] : []}
                onChange={(v) => setDraft({ ...draft, state: v[0] })}
              />
            </>
          )}
          <h4>{tr('标签（任一）', 'Tags (any)')}</h4>
          <Selector
            columns={3}
            multiple
            options={tagOptions.map((t) => ({ label: t.label, value: t.value, description: t.group }))}
            value={draft.tags}
            onChange={(v) => setDraft({ ...draft, tags: v })}
          />
          <Space style={{ width: '100%', marginTop: 12, '--gap': '8px' }} justify="center">
            <Button onClick={() => { setDraft({ tags: [] }); setFilters({ tags: [] }); setOpen(false) }}>{tr('重置', 'Reset')}</Button>
            <Button color="primary" onClick={() => { setFilters(draft); setOpen(false) }} data-testid="wb-filter-apply">
              {tr('确定', 'Apply')}
            </Button>
          </Space>
        </div>
      </Popup>
    </div>
  )
}
