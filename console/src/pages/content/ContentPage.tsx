// 素材库: folder tree + searchable table of items (filters, pages, export), create / edit /
// upload, per-item statistics and radar links.
import { useState } from 'react'
import {
  Alert,
  Button,
  Card,
  Col,
  Dropdown,
  Empty,
  Input,
  Modal,
  Popconfirm,
  Row,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
  Tree,
  Typography,
} from 'antd'
import {
  BarChartOutlined,
  DeleteOutlined,
  DownloadOutlined,
  EditOutlined,
  FolderAddOutlined,
  MoreOutlined,
  PlusOutlined,
  ReloadOutlined,
} from '@ant-design/icons'
import { del, get, patch, post, query, type Page } from '../../api'
import { useAction, useLoad } from '../../hooks'
import { fmtTime, useI18n } from '../../i18n'
import { useDirectory } from '../directory'
import ItemDrawer from './ItemDrawer'
import StatsDrawer from './StatsDrawer'
import { KINDS, type ContentItem, type Folder, type Kind } from './shared'

// the tree's keys: 'all', 'root' (no folder) or a folder id
type Place = 'all' | 'root' | number

interface TreeNode {
  key: string
  title: string
  children: TreeNode[]
}

function tree(folders: Folder[], parent: number | null): TreeNode[] {
  return folders
    .filter((f) => f.parent_id === parent)
    .map((f) => ({ key: String(f.id), title: `${f.name} (${f.items})`, children: tree(folders, f.id) }))
}

function FolderPane({ folders, place, setPlace, reload }: { folders: Folder[]; place: Place; setPlace: (p: Place) => void; reload: () => void }) {
  const { tr } = useI18n()
  const act = useAction()
  const [editing, setEditing] = useState<{ id?: number; name: string; parent_id: number | null } | null>(null)
  const selected = typeof place === 'number' ? folders.find((f) => f.id === place) : undefined
  const save = async () => {
    if (!editing) return
    const ok = await act(
      () =>
        editing.id
          ? patch(`/content/folders/${editing.id}`, { name: editing.name })
          : post('/content/folders', { name: editing.name, parent_id: editing.parent_id }),
      tr('已保存', 'Saved'),
    )
    if (ok) {
      setEditing(null)
      reload()
    }
  }
  return (
    <Card
      size="small"
      title={tr('文件夹', 'Folders')}
      extra={
        <Space size={4}>
          <Button
            size="small"
            icon={<FolderAddOutlined />}
            onClick={() => setEditing({ name: '', parent_id: selected?.id ?? null })}
            data-testid="folder-new"
            aria-label={tr('新建文件夹', 'New folder')}
          />
          {selected && (
            <Dropdown
              menu={{
                items: [
                  { key: 'rename', icon: <EditOutlined />, label: tr('重命名', 'Rename') },
                  { key: 'delete', icon: <DeleteOutlined />, danger: true, label: tr('删除', 'Delete') },
                ],
                onClick: ({ key }) => {
                  if (key === 'rename') setEditing({ id: selected.id, name: selected.name, parent_id: selected.parent_id })
                  else
                    Modal.confirm({
                      title: tr(`删除文件夹「${selected.name}」？`, `Delete folder "${selected.name}"?`),
                      content: tr('其中的素材会移到「未分组」，子文件夹上移一级，不会丢失。', 'Its items move to "No folder" and its subfolders move up; nothing is lost.'),
                      onOk: async () => {
                        await act(() => del(`/content/folders/${selected.id}`), tr('已删除', 'Deleted'))
                        setPlace('all')
                        reload()
                      },
                    })
                },
              }}
            >
              <Button size="small" icon={<MoreOutlined />} aria-label="folder actions" />
            </Dropdown>
          )}
        </Space>
      }
    >
      <Tree
        blockNode
        defaultExpandAll
        selectedKeys={[String(place)]}
        onSelect={(keys) => {
          const k = String(keys[0] ?? 'all')
          setPlace(k === 'all' || k === 'root' ? k : Number(k))
        }}
        treeData={[
          { key: 'all', title: tr('全部素材', 'All items'), children: [] },
          { key: 'root', title: tr('未分组', 'No folder'), children: [] },
          ...tree(folders, null),
        ]}
        data-testid="folder-tree"
      />
      {!folders.length && (
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
          {tr('点击右上角按钮新建文件夹，把素材按用途归类。', 'Create folders (button above) to sort items by purpose.')}
        </Typography.Paragraph>
      )}
      <Modal
        open={!!editing}
        title={editing?.id ? tr('重命名文件夹', 'Rename folder') : tr('新建文件夹', 'New folder')}
        onCancel={() => setEditing(null)}
        onOk={() => void save()}
        okButtonProps={{ disabled: !editing?.name.trim(), ...({ 'data-testid': 'folder-save' } as Record<string, string>) }}
        destroyOnHidden
      >
        <Input
          autoFocus
          maxLength={100}
          value={editing?.name}
          onChange={(e) => editing && setEditing({ ...editing, name: e.target.value })}
          onPressEnter={() => void save()}
          placeholder={tr('文件夹名称', 'Folder name')}
          data-testid="folder-name"
        />
      </Modal>
    </Card>
  )
}

export default function ContentPage() {
  const { tr } = useI18n()
  const act = useAction()
  const dir = useDirectory()
  const [place, setPlace] = useState<Place>('all')
  const [kind, setKind] = useState<Kind | undefined>()
  const [tag, setTag] = useState<string | undefined>()
  const [keyword, setKeyword] = useState('')
  const [archived, setArchived] = useState(false)
  const [cursors, setCursors] = useState<(string | null)[]>([null])
  const [editing, setEditing] = useState<ContentItem | null | undefined>(undefined)
  const [viewing, setViewing] = useState<ContentItem | null>(null)
  const folders = useLoad(() => get<Folder[]>('/content/folders'), [])
  const tags = useLoad(() => get<{ tag: string; items: number }[]>('/content/tags'), [])
  const cursor = cursors[cursors.length - 1]
  const filters = {
    folder_id: typeof place === 'number' ? place : undefined,
    root: place === 'root' ? true : undefined,
    kind,
    tag,
    keyword,
    archived: archived || undefined,
  }
  const page = useLoad(
    () => get<Page<ContentItem>>('/content', { ...filters, cursor, limit: 20 }),
    [place, kind, tag, keyword, archived, cursor],
  )
  const reset = () => setCursors([null])
  const reloadAll = () => {
    void page.reload()
    void folders.reload()
    void tags.reload()
  }
  const folderList = folders.data ?? []
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} md={6}>
        <FolderPane
          folders={folderList}
          place={place}
          setPlace={(p) => {
            setPlace(p)
            reset()
          }}
          reload={reloadAll}
        />
      </Col>
      <Col xs={24} md={18}>
        <Card
          title={tr('素材库', 'Content library')}
          extra={
            <Space wrap>
              <Button icon={<ReloadOutlined />} onClick={reloadAll} aria-label="reload" />
              <Button icon={<DownloadOutlined />} href={`/api/v1/content/export${query({ ...filters, format: 'xlsx' })}`}>
                {tr('导出', 'Export')}
              </Button>
              <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing(null)} data-testid="content-new">
                {tr('新建素材', 'New item')}
              </Button>
            </Space>
          }
        >
          <Space wrap style={{ marginBottom: 12 }}>
            <Input.Search
                allowClear
                placeholder={tr('标题、摘要、正文、标签', 'Title, text, tags')}
                style={{ width: 200 }}
                onSearch={(v) => {
                  setKeyword(v)
                  reset()
                }}
                data-testid="content-search"
              />
              <Select
                allowClear
                placeholder={tr('类型', 'Kind')}
                style={{ width: 110 }}
                value={kind}
                onChange={(v) => {
                  setKind(v)
                  reset()
                }}
                options={Object.entries(KINDS).map(([k, [zh, en]]) => ({ value: k, label: tr(zh, en) }))}
              />
              <Select
                allowClear
                placeholder={tr('标签', 'Tag')}
                style={{ width: 120 }}
                value={tag}
                onChange={(v) => {
                  setTag(v)
                  reset()
                }}
                options={(tags.data ?? []).map((t) => ({ value: t.tag, label: `${t.tag} (${t.items})` }))}
              />
              <Segmented
                value={archived ? 'archived' : 'active'}
                onChange={(v) => {
                  setArchived(v === 'archived')
                  reset()
                }}
                options={[
                  { value: 'active', label: tr('使用中', 'Active') },
                  { value: 'archived', label: tr('已删除', 'Deleted') },
                ]}
              />
          </Space>
          {page.error && <Alert type="error" showIcon title={page.error} style={{ marginBottom: 12 }} />}
          <Table<ContentItem>
            rowKey="id"
            size="middle"
            loading={page.loading && !page.data}
            dataSource={page.data?.items ?? []}
            pagination={false}
            scroll={{ x: 900 }}
            locale={{
              emptyText: (
                <Empty
                  description={
                    keyword || kind || tag
                      ? tr('没有符合条件的素材，换个关键词或清除筛选试试。', 'No items match; try other words or clear the filters.')
                      : tr(
                          '还没有素材。点击「新建素材」添加链接、文章、图片、文件或小程序，发给客户时自动生成雷达链接。',
                          'No items yet. Click "New item" to add links, articles, images, files or mini-programs; sending them makes radar links.',
                        )
                  }
                />
              ),
            }}
            columns={[
              {
                title: tr('标题', 'Title'),
                dataIndex: 'title',
                render: (t: string, i) => (
                  <a onClick={() => setViewing(i)} data-testid="content-title-cell">
                    {t}
                  </a>
                ),
              },
              { title: tr('类型', 'Kind'), dataIndex: 'kind', width: 90, render: (k: Kind) => tr(...KINDS[k]) },
              { title: tr('文件夹', 'Folder'), dataIndex: 'folder', render: (f: string) => f || '—' },
              {
                title: tr('标签', 'Tags'),
                dataIndex: 'tags',
                render: (ts: string[]) => ts.map((t) => <Tag key={t}>{t}</Tag>),
              },
              { title: tr('雷达链接', 'Links'), dataIndex: 'uses', width: 90 },
              { title: tr('发送', 'Sends'), dataIndex: 'sends', width: 70 },
              { title: tr('打开', 'Opens'), dataIndex: 'opens', width: 70 },
              { title: tr('打开人数', 'Openers'), dataIndex: 'unique_openers', width: 90 },
              { title: tr('创建时间', 'Created'), dataIndex: 'created_at', render: fmtTime },
              {
                title: tr('操作', 'Actions'),
                key: 'actions',
                fixed: 'right',
                width: 150,
                render: (_: unknown, i) => (
                  <Space size={0}>
                    <Button type="link" size="small" icon={<BarChartOutlined />} onClick={() => setViewing(i)} aria-label="stats" />
                    {!i.archived_at && (
                      <Button type="link" size="small" icon={<EditOutlined />} onClick={() => setEditing(i)} aria-label="edit" />
                    )}
                    {i.archived_at ? (
                      <Button
                        type="link"
                        size="small"
                        onClick={async () => {
                          await act(() => post(`/content/${i.id}/restore`), tr('已恢复', 'Restored'))
                          reloadAll()
                        }}
                      >
                        {tr('恢复', 'Restore')}
                      </Button>
                    ) : (
                      <Popconfirm
                        title={tr('删除后不再出现在素材库，已发出的链接将失效（恢复后可再打开），统计保留。', 'Deleted items leave the library and their sent links stop working until restored; statistics stay.')}
                        onConfirm={async () => {
                          await act(() => del(`/content/${i.id}`), tr('已删除', 'Deleted'))
                          reloadAll()
                        }}
                      >
                        <Button type="link" size="small" danger icon={<DeleteOutlined />} aria-label="delete" />
                      </Popconfirm>
                    )}
                  </Space>
                ),
              },
            ]}
          />
          <Space style={{ marginTop: 12, justifyContent: 'flex-end', width: '100%' }}>
            <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              {tr('上一页', 'Previous')}
            </Button>
            <Typography.Text type="secondary">{tr(`第 ${cursors.length} 页`, `Page ${cursors.length}`)}</Typography.Text>
            <Button disabled={!page.data?.next_cursor} onClick={() => setCursors([...cursors, page.data?.next_cursor ?? null])}>
              {tr('下一页', 'Next')}
            </Button>
          </Space>
        </Card>
      </Col>
      <ItemDrawer
        open={editing !== undefined}
        item={editing ?? null}
        folders={folderList}
        folderId={typeof place === 'number' ? place : null}
        onClose={(changed) => {
          setEditing(undefined)
          if (changed) reloadAll()
        }}
      />
      <StatsDrawer
        item={viewing}
        dir={dir}
        onClose={() => {
          setViewing(null)
          void page.reload()
        }}
      />
    </Row>
  )
}
