// 话术库 in a chat sidebar: search, folders, corp / my phrases; a tap sends the phrase into
// the current chat through the JS-SDK (./jssdk) and records the use. Reused by the group
// sidebar and the mobile workbench: `send` replaces sendChatMessage (e.g. a share API).
import { useState } from 'react'
import { Alert, App, Button, Card, Empty, Input, List, Segmented, Select, Space, Tag, Typography } from 'antd'
import { PlusOutlined, SendOutlined } from '@ant-design/icons'
import { get, post, type Page } from '../../api'
import { useAuth } from '../../auth'
import { useLoad } from '../../hooks'
import { useI18n } from '../../i18n'
import PhraseDrawer from '../phrases/PhraseDrawer'
import { PHRASE_KINDS, preview, type Phrase, type PhraseFolder } from '../phrases/shared'
import { isStandIn, sendChatMessage, type ChatMessage, type ShareArgs } from './jssdk'

/** The JS-SDK message of a phrase; an image first gets its WeCom media id from Siyu. */
export async function phraseMessage(p: Phrase): Promise<ChatMessage> {
  if (p.kind === 'image') {
    const media = await post<{ media_id: string }>(`/phrases/${p.id}/wecom-media`)
    return { msgtype: 'image', image: { mediaid: media.media_id } }
  }
  if (p.kind === 'link') return { msgtype: 'news', news: { link: p.url, title: p.title, desc: p.description, imgUrl: p.cover } }
  if (p.kind === 'miniprogram') return { msgtype: 'miniprogram', miniprogram: { appid: p.appid, title: p.title, imgUrl: p.cover, page: p.page } }
  return { msgtype: 'text', text: { content: p.body } }
}

/** The same message as the share APIs' text / attachments (shareToExternalContact, …): for the
 * workbench, where no chat is open, `send={(m) => shareToExternalContact(shareArgs(m))}`. */
export function shareArgs(msg: ChatMessage): ShareArgs {
  if (msg.msgtype === 'text') return { text: msg.text }
  if (msg.msgtype === 'news') {
    const { link, title, desc, imgUrl } = msg.news
    return { attachments: [{ msgtype: 'link', link: { title, desc, url: link, imgUrl } }] }
  }
  if (msg.msgtype === 'image') return { attachments: [{ msgtype: 'image', image: msg.image }] }
  return { attachments: [{ msgtype: 'miniprogram', miniprogram: msg.miniprogram }] }
}

export default function PhrasePicker({
  send = sendChatMessage,
  title,
}: {
  /** how a message reaches the chat (default: sendChatMessage into the current chat) */
  send?: (msg: ChatMessage) => Promise<boolean>
  title?: string
}) {
  const { tr } = useI18n()
  const { me } = useAuth()
  const { message } = App.useApp()
  const [tab, setTab] = useState<'corp' | 'personal'>('corp')
  const [folder, setFolder] = useState<number | undefined>()
  const [keyword, setKeyword] = useState('')
  const [sending, setSending] = useState<number | null>(null)
  const [adding, setAdding] = useState(false)
  const folders = useLoad(() => get<PhraseFolder[]>('/phrases/folders'), [])
  const phrases = useLoad(
    () => get<Page<Phrase>>('/phrases', { scope: tab, folder_id: tab === 'corp' ? folder : undefined, keyword, limit: 50 }),
    [tab, folder, keyword],
  )
  const tap = async (p: Phrase) => {
    setSending(p.id)
    try {
      const ok = await send(await phraseMessage(p))
      if (!ok) {
        message.error(tr('发送失败或已取消', 'Not sent (failed or cancelled)'))
        return
      }
      const used = await post<{ id: number; uses: number }>(`/phrases/${p.id}/used`)
      phrases.setData((d) => d && { ...d, items: d.items.map((x) => (x.id === p.id ? { ...x, uses: used.uses } : x)) })
      message.success(isStandIn() ? tr('（沙箱）话术已发送', '(Sandbox) phrase sent') : tr('已发送', 'Sent'))
    } catch (e) {
      message.error(e instanceof Error ? e.message : String(e))
    } finally {
      setSending(null)
    }
  }
  const items = phrases.data?.items ?? []
  return (
    <Card
      size="small"
      title={title ?? tr('话术库', 'Reply library')}
      data-testid="phrase-picker"
      extra={
        tab === 'personal' && me?.userid ? (
          <Button size="small" icon={<PlusOutlined />} onClick={() => setAdding(true)} data-testid="picker-add">
            {tr('添加', 'Add')}
          </Button>
        ) : null
      }
    >
      <Space orientation="vertical" style={{ width: '100%' }} size="small">
        <Segmented
          block
          value={tab}
          onChange={(v) => setTab(v as 'corp' | 'personal')}
          options={[
            { value: 'corp', label: tr('企业话术', 'Corp') },
            { value: 'personal', label: tr('我的话术', 'Mine') },
          ]}
          data-testid="picker-tabs"
        />
        <Input.Search allowClear placeholder={tr('搜索话术', 'Search phrases')} onSearch={setKeyword} data-testid="picker-search" />
        {tab === 'corp' && (
          <Select
            allowClear
            style={{ width: '100%' }}
            placeholder={tr('全部文件夹', 'All folders')}
            value={folder}
            onChange={setFolder}
            options={(folders.data ?? []).filter((f) => f.phrases > 0).map((f) => ({ value: f.id, label: `${f.name} (${f.phrases})` }))}
            data-testid="picker-folder"
          />
        )}
        {phrases.error && <Alert type="error" showIcon message={phrases.error} />}
        <List
          size="small"
          loading={phrases.loading}
          dataSource={items}
          locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={tab === 'corp' ? tr('没有可用的话术', 'No phrases') : tr('还没有我的话术，点“添加”新建', 'No personal phrases yet; tap Add')} /> }}
          renderItem={(p) => (
            <List.Item
              data-testid={`picker-phrase-${p.id}`}
              actions={[
                <Button
                  key="send"
                  type="primary"
                  size="small"
                  icon={<SendOutlined />}
                  loading={sending === p.id}
                  onClick={() => void tap(p)}
                  data-testid={`picker-send-${p.id}`}
                >
                  {tr('发送', 'Send')}
                </Button>,
              ]}
            >
              <List.Item.Meta
                title={
                  <Space size={4}>
                    <Tag>{tr(...PHRASE_KINDS[p.kind as keyof typeof PHRASE_KINDS])}</Tag>
                    {p.title}
                  </Space>
                }
                description={
                  <>
                    <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ marginBottom: 0 }}>
                      {preview(p)}
                    </Typography.Paragraph>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid={`picker-uses-${p.id}`}>
                      {tr(`已使用 ${p.uses} 次`, `Used ${p.uses} times`)}
                    </Typography.Text>
                  </>
                }
              />
            </List.Item>
          )}
        />
      </Space>
      <PhraseDrawer
        compact
        open={adding}
        phrase={null}
        scope="personal"
        folders={[]}
        onClose={(saved) => {
          setAdding(false)
          if (saved) void phrases.reload()
        }}
      />
    </Card>
  )
}
