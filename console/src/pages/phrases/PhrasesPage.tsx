// 话术库: ordered folders of corp phrases, the caller's own phrases, search, import / export,
// usage statistics. Admins and operators manage corp phrases; everyone manages their own.
import { useState } from 'react'
import { Alert, Button, Card, Col, Input, List, Popconfirm, Row, Segmented, Select, Space, Table, Tabs, Tag, Typography } from 'antd'
import {
  ArrowDownOutlined,
  ArrowUpOutlined,
  DeleteOutlined,
  DownloadOutlined,
  EditOutlined,
  FolderAddOutlined,
  PlusOutlined,
  UploadOutlined,
} from '@ant-design/icons'
import { del, get, patch, post, put, query } from '../../api'
import { useAuth } from '../../auth'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { Pager, useCursorList } from '../../list'
import ImportModal from './ImportModal'
import PhraseDrawer from './PhraseDrawer'
import { PHRASE_KINDS, PHRASE_SCOPES, preview, type Phrase, type PhraseFolder, type PhraseKind } from './shared'
import StatsPanel from './StatsPanel'

// 'all' | 'none' (corp phrases outside every folder) | a folder id
type Place = 'all' | 'none' | number

function swap<T>(list: T[], i: number, j: number): T[] {
  const out = [...list]
  ;[out[i], out[j]] = [out[j], out[i]]
  return out
}

function Folders({
  folders,
  place,
  setPlace,
  manage,
  reload,
}: {
  folders: PhraseFolder[]
  place: Place
  setPlace: (p: Place) => void
  manage: boolean
  reload: () => void
}) {
  const { tr } = useI18n()
  const act = useAction()
  const [name, setName] = useState<string | null>(null)
  const [renaming, setRenaming] = useState<PhraseFolder | null>(null)
  const move = async (i: number, j: number) => {
    await act(() => put('/phrases/folders/order', { ids: swap(folders, i, j).map((f) => f.id) }))
    reload()
  }
  const save = async () => {
    if (name === null) return
    const ok = await act(
      () => (renaming ? patch(`/phrases/folders/${renaming.id}`, { name }) : post('/phrases/folders', { name })),
      tr('已保存', 'Saved'),
    )
    if (ok) {
      setName(null)
      setRenaming(null)
      reload()
    }
  }
  const row = (key: Place, label: string) => (
    <Typography.Link strong={place === key} onClick={() => setPlace(key)}>
      {label}
    </Typography.Link>
  )
  return (
    <Card
      size="small"
      title={tr('文件夹', 'Folders')}
      extra={
        manage && (
          <Button size="small" icon={<FolderAddOutlined />} onClick={() => setName('')} data-testid="phrase-folder-new" aria-label={tr('新建文件夹', 'New folder')} />
        )
      }
    >
      {name !== null && (
        <Space.Compact style={{ width: '100%', marginBottom: 8 }}>
          <Input autoFocus maxLength={50} value={name} onChange={(e) => setName(e.target.value)} onPressEnter={() => void save()} placeholder={tr('文件夹名称', 'Folder name')} data-testid="phrase-folder-name" />
          <Button type="primary" onClick={() => void save()} data-testid="phrase-folder-save">
            {tr('保存', 'Save')}
          </Button>
        </Space.Compact>
      )}
      <List size="small" data-testid="phrase-folders">
        <List.Item>{row('all', tr('全部话术', 'All phrases'))}</List.Item>
        {folders.map((f, i) => (
          <List.Item key={f.id} data-testid={`phrase-folder-${f.id}`}>
            <div style={{ display: 'flex', alignItems: 'center', width: '100%', gap: 4 }}>
              <Typography.Link strong={place === f.id} onClick={() => setPlace(f.id)} ellipsis style={{ flex: 1, minWidth: 0 }}>
                {`${f.name} (${f.phrases})`}
              </Typography.Link>
              {manage && place === f.id && (
                <Space size={0}>
                  <Button type="text" size="small" disabled={i === 0} icon={<ArrowUpOutlined />} onClick={() => void move(i, i - 1)} aria-label={tr('上移', 'Move up')} />
                  <Button type="text" size="small" disabled={i === folders.length - 1} icon={<ArrowDownOutlined />} onClick={() => void move(i, i + 1)} aria-label={tr('下移', 'Move down')} />
                  <Button type="text" size="small" icon={<EditOutlined />} onClick={() => (setRenaming(f), setName(f.name))} aria-label={tr('重命名', 'Rename')} />
                  <Popconfirm
                    title={tr(`删除文件夹「${f.name}」？其中的话术会移到「未分组」。`, `Delete folder "${f.name}"? Its phrases move to "No folder".`)}
                    onConfirm={async () => {
                      await act(() => del(`/phrases/folders/${f.id}`), tr('已删除', 'Deleted'))
                      setPlace('all')
                      reload()
                    }}
                  >
                    <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={tr('删除', 'Delete')} />
                  </Popconfirm>
                </Space>
              )}
            </div>
          </List.Item>
        ))}
        <List.Item>{row('none', tr('未分组', 'No folder'))}</List.Item>
      </List>
    </Card>
  )
}

function Library() {
  const { tr } = useI18n()
  const { me } = useAuth()
  const act = useAction()
  const manage = !!me?.full_access
  const [place, setPlace] = useState<Place>('all')
  const [scope, setScope] = useState<'all' | 'corp' | 'personal'>('all')
  const [kind, setKind] = useState<PhraseKind | undefined>()
  const [keyword, setKeyword] = useState('')
  const [editing, setEditing] = useState<{ phrase: Phrase | null; scope: 'corp' | 'personal' } | null>(null)
  const [importing, setImporting] = useState(false)
  const folders = useLoad(() => get<PhraseFolder[]>('/phrases/folders'), [])
  const filters = {
    folder_id: typeof place === 'number' ? place : undefined,
    no_folder: place === 'none' ? true : undefined,
    scope: place !== 'all' ? 'corp' : scope === 'all' ? undefined : scope,
    kind,
    keyword,
  }
  const list = useCursorList<Phrase>('/phrases', filters, { limit: 20 })
  const rows = list.page.data?.items ?? []
  // reorder within one list: a folder, or my own phrases
  const orderable = typeof place === 'number' || place === 'none' || scope === 'personal'
  const reloadAll = () => {
    void list.page.reload()
    void folders.reload()
  }
  const move = async (i: number, j: number) => {
    await act(() => put('/phrases/order', { ids: swap(rows, i, j).map((p) => p.id) }))
    reloadAll()
  }
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={7}>
        <Folders folders={folders.data ?? []} place={place} setPlace={setPlace} manage={manage} reload={reloadAll} />
      </Col>
      <Col xs={24} md={17}>
        <Card
          size="small"
          extra={
            <Space wrap>
              {manage && (
                <>
                  <Button icon={<UploadOutlined />} onClick={() => setImporting(true)} data-testid="phrase-import">
                    {tr('导入', 'Import')}
                  </Button>
                  <Button icon={<DownloadOutlined />} href={`/api/v1/phrases/export${query({ ...filters, scope: filters.scope ?? 'corp', format: 'xlsx' })}`}>
                    {tr('导出', 'Export')}
                  </Button>
                </>
              )}
              {me?.userid && (
                <Button icon={<PlusOutlined />} onClick={() => setEditing({ phrase: null, scope: 'personal' })} data-testid="phrase-new-mine">
                  {tr('新建我的话术', 'New personal phrase')}
                </Button>
              )}
              {manage && (
                <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ phrase: null, scope: 'corp' })} data-testid="phrase-new">
                  {tr('新建企业话术', 'New corp phrase')}
                </Button>
              )}
            </Space>
          }
          title={
            <Space wrap>
              <Input.Search allowClear placeholder={tr('搜索标题或内容', 'Search title or words')} style={{ width: 200 }} onSearch={setKeyword} data-testid="phrase-search" />
              <Select
                allowClear
                placeholder={tr('类型', 'Kind')}
                style={{ width: 110 }}
                value={kind}
                onChange={setKind}
                options={Object.entries(PHRASE_KINDS).map(([k, [zh, en]]) => ({ value: k, label: tr(zh, en) }))}
              />
              {place === 'all' && (
                <Segmented
                  value={scope}
                  onChange={(v) => setScope(v as typeof scope)}
                  options={[
                    { value: 'all', label: tr('全部', 'All') },
                    { value: 'corp', label: tr('企业话术', 'Corp') },
                    { value: 'personal', label: tr('我的话术', 'Mine') },
                  ]}
                />
              )}
            </Space>
          }
        >
          {list.page.error && <Alert type="error" showIcon message={list.page.error} />}
          <Table
            size="small"
            rowKey="id"
            loading={list.page.loading}
            dataSource={rows}
            pagination={false}
            data-testid="phrase-table"
            onRow={(p) => ({ 'data-testid': `phrase-row-${p.id}` }) as React.HTMLAttributes<HTMLElement>}
            columns={[
              {
                title: tr('话术', 'Phrase'),
                dataIndex: 'title',
                render: (t: string, p) => (
                  <Space orientation="vertical" size={0}>
                    <Typography.Text strong>{t}</Typography.Text>
                    <Typography.Text type="secondary" ellipsis style={{ maxWidth: 360 }}>
                      {preview(p)}
                    </Typography.Text>
                  </Space>
                ),
              },
              { title: tr('类型', 'Kind'), dataIndex: 'kind', width: 80, render: (k: PhraseKind) => <Tag>{tr(...PHRASE_KINDS[k])}</Tag> },
              {
                title: tr('范围', 'Scope'),
                dataIndex: 'scope',
                width: 170,
                render: (s: string, p) =>
                  s === 'personal' ? (
                    <Tag color="blue">{tr(...PHRASE_SCOPES.personal)}</Tag>
                  ) : (
                    <Space size={2} wrap>
                      {p.folder && <Tag>{p.folder}</Tag>}
                      {p.departments.length ? p.departments.map((d) => <Tag key={d} color="green">{d}</Tag>) : <Tag color="green">{tr('全员', 'Everyone')}</Tag>}
                    </Space>
                  ),
              },
              { title: tr('使用次数', 'Uses'), dataIndex: 'uses', width: 90, align: 'right', render: (n: number, p) => <span data-testid={`phrase-uses-${p.id}`}>{n}</span> },
              { title: tr('更新时间', 'Updated'), dataIndex: 'updated_at', width: 140, render: (v: string) => fmtTime(v) },
              {
                title: tr('操作', 'Actions'),
                key: 'actions',
                width: 150,
                render: (_: unknown, p, i) =>
                  p.editable && (
                    <Space size={0}>
                      {orderable && <Button type="text" size="small" disabled={i === 0} icon={<ArrowUpOutlined />} onClick={() => void move(i, i - 1)} aria-label={tr('上移', 'Move up')} />}
                      {orderable && <Button type="text" size="small" disabled={i === rows.length - 1} icon={<ArrowDownOutlined />} onClick={() => void move(i, i + 1)} aria-label={tr('下移', 'Move down')} />}
                      <Button type="text" size="small" icon={<EditOutlined />} onClick={() => setEditing({ phrase: p, scope: p.scope as 'corp' | 'personal' })} aria-label={tr('编辑', 'Edit')} />
                      <Popconfirm
                        title={tr('删除这条话术？', 'Delete this phrase?')}
                        onConfirm={async () => {
                          await act(() => del(`/phrases/${p.id}`), tr('已删除', 'Deleted'))
                          reloadAll()
                        }}
                      >
                        <Button type="text" size="small" danger icon={<DeleteOutlined />} aria-label={tr('删除', 'Delete')} />
                      </Popconfirm>
                    </Space>
                  ),
              },
            ]}
          />
          <Pager list={list} />
        </Card>
      </Col>
      <PhraseDrawer
        open={editing !== null}
        phrase={editing?.phrase ?? null}
        scope={editing?.scope ?? 'corp'}
        folderId={typeof place === 'number' ? place : null}
        folders={folders.data ?? []}
        onClose={(saved) => {
          setEditing(null)
          if (saved) reloadAll()
        }}
      />
      <ImportModal
        open={importing}
        onClose={(done) => {
          setImporting(false)
          if (done) reloadAll()
        }}
      />
    </Row>
  )
}

export default function PhrasesPage() {
  const { tr } = useI18n()
  const { me } = useAuth()
  return (
    <Card title={tr('话术库', 'Reply library')}>
      <Tabs
        items={[
          { key: 'library', label: tr('话术', 'Phrases'), children: <Library /> },
          ...(me?.full_access ? [{ key: 'stats', label: tr('使用统计', 'Usage'), children: <StatsPanel /> }] : []),
        ]}
      />
    </Card>
  )
}
