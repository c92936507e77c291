// 素材库: create / edit an item of any kind (articles in Markdown, files uploaded).
import { useEffect, useState } from 'react'
import { Alert, Button, Drawer, Form, Input, Select, Space, Typography, Upload } from 'antd'
import { UploadOutlined } from '@ant-design/icons'
import { patch, post } from '../../api'
import { useAction } from '../../hooks'
import { useI18n } from '../../i18n'
import { KINDS, upload, type ContentItem, type Folder, type Kind } from './shared'

interface Values {
  kind: Kind
  title: string
  description?: string
  url?: string
  cover?: string
  body?: string
  folder_id?: number | null
  tags?: string[]
  appid?: string
  page?: string
}

const FILE_KINDS: Kind[] = ['image', 'file', 'video']

export default function ItemDrawer({
  open,
  item,
  folders,
  folderId,
  onClose,
}: {
  open: boolean
  item: ContentItem | null
  folders: Folder[]
  folderId: number | null
  onClose: (changed?: ContentItem) => void
}) {
  const { tr } = useI18n()
  const [form] = Form.useForm<Values>()
  const act = useAction()
  const [file, setFile] = useState<File | null>(null)
  const [busy, setBusy] = useState(false)
  const kind = (Form.useWatch('kind', form) as Kind | undefined) ?? item?.kind ?? 'link'
  useEffect(() => {
    if (!open) return
    setFile(null)
    form.resetFields()
    form.setFieldsValue(item ? { ...item } : { kind: 'link', folder_id: folderId, tags: [] })
  }, [open, item, folderId, form])
  const needsFile = !item && FILE_KINDS.includes(kind)
  const save = async () => {
    const v = await form.validateFields()
    setBusy(true)
    const saved = await act(async () => {
      if (item) {
        const { kind: _k, ...rest } = v
        void _k
        return patch<ContentItem>(`/content/${item.id}`, rest)
      }
      if (FILE_KINDS.includes(v.kind)) {
        if (!file) throw new Error(tr('请选择要上传的文件', 'Choose a file to upload'))
        const fd = new FormData()
        fd.append('file', file)
        fd.append('kind', v.kind)
        fd.append('title', v.title ?? '')
        fd.append('description', v.description ?? '')
        if (v.folder_id) fd.append('folder_id', String(v.folder_id))
        fd.append('tags', (v.tags ?? []).join(','))
        return upload<ContentItem>('/content/upload', fd)
      }
      let file_id: number | null = null
      if (file) {
        const fd = new FormData()
        fd.append('file', file)
        fd.append('kind', 'image')
        file_id = (await upload<{ id: number }>('/content/files', fd)).id
      }
      return post<ContentItem>('/content', { ...v, folder_id: v.folder_id ?? null, file_id })
    }, item ? tr('已保存', 'Saved') : tr('已创建', 'Created'))
    setBusy(false)
    if (saved) onClose(saved)
  }
  const fileLabel =
    kind === 'miniprogram' || kind === 'link' || kind === 'article'
      ? tr('封面图（JPG/PNG）', 'Cover image (JPG/PNG)')
      : tr('文件', 'File')
  return (
    <Drawer
      open={open}
      size="large"
      destroyOnHidden
      title={item ? tr('编辑素材', 'Edit item') : tr('新建素材', 'New item')}
      onClose={() => onClose()}
      extra={
        <Button type="primary" loading={busy} onClick={() => void save()} data-testid="content-save">
          {tr('保存', 'Save')}
        </Button>
      }
    >
      <Form form={form} layout="vertical" name="content_item">
        <Form.Item name="kind" label={tr('类型', 'Kind')} rules={[{ required: true }]}>
          <Select
            disabled={!!item}
            data-testid="content-kind"
            options={Object.entries(KINDS).map(([k, [zh, en]]) => ({ value: k, label: tr(zh, en) }))}
          />
        </Form.Item>
        <Form.Item
          name="title"
          label={tr('标题', 'Title')}
          rules={[{ required: !needsFile, message: tr('请输入标题', 'Enter a title') }]}
          extra={needsFile ? tr('留空则使用文件名。', 'Empty: the file name.') : undefined}
        >
          <Input maxLength={200} data-testid="content-title" />
        </Form.Item>
        <Form.Item name="description" label={tr('摘要', 'Description')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        {(kind === 'link' || kind === 'miniprogram' || kind === 'video') && (
          <Form.Item
            name="url"
            label={kind === 'link' ? tr('链接地址', 'URL') : tr('网页地址（可选）', 'Web URL (optional)')}
            rules={kind === 'link' ? [{ required: true, message: tr('请输入链接', 'Enter the URL') }] : []}
          >
            <Input placeholder="https://" maxLength={1000} data-testid="content-url" />
          </Form.Item>
        )}
        {(kind === 'link' || kind === 'article') && (
          <Form.Item name="cover" label={tr('封面图地址（可选）', 'Cover URL (optional)')}>
            <Input placeholder="https://" maxLength={1000} />
          </Form.Item>
        )}
        {kind === 'miniprogram' && (
          <Space.Compact block>
            <Form.Item name="appid" label="AppID" rules={[{ required: true }]} style={{ flex: 1 }}>
              <Input maxLength={64} />
            </Form.Item>
            <Form.Item name="page" label={tr('页面路径', 'Page path')} rules={[{ required: true }]} style={{ flex: 2 }}>
              <Input maxLength={300} placeholder="pages/index/index" />
            </Form.Item>
          </Space.Compact>
        )}
        {(kind === 'article' || kind === 'text') && (
          <Form.Item
            name="body"
            label={kind === 'article' ? tr('正文（Markdown）', 'Body (Markdown)') : tr('文本内容', 'Text')}
            rules={[{ required: true, message: tr('请输入内容', 'Enter the content') }]}
          >
            <Input.TextArea rows={12} maxLength={100000} data-testid="content-body" />
          </Form.Item>
        )}
        {!item && kind !== 'text' && (
          <Form.Item label={fileLabel} required={FILE_KINDS.includes(kind) || kind === 'miniprogram'}>
            <Upload
              maxCount={1}
              beforeUpload={(f) => {
                setFile(f)
                return false
              }}
              onRemove={() => setFile(null)}
              accept={kind === 'video' ? 'video/mp4' : kind === 'file' ? undefined : 'image/png,image/jpeg'}
            >
              <Button icon={<UploadOutlined />}>{tr('选择文件', 'Choose file')}</Button>
            </Upload>
            <Typography.Text type="secondary">
              {tr('图片/视频 ≤10 MB，文件 ≤20 MB（企业微信限制）', 'Images/videos ≤10 MB, files ≤20 MB (WeCom limits)')}
            </Typography.Text>
          </Form.Item>
        )}
        {item?.filename && <Alert type="info" showIcon title={`${tr('文件', 'File')}: ${item.filename}`} style={{ marginBottom: 16 }} />}
        <Form.Item name="folder_id" label={tr('文件夹', 'Folder')}>
          <Select
            allowClear
            placeholder={tr('未分组', 'No folder')}
            options={folders.map((f) => ({ value: f.id, label: f.name }))}
            data-testid="content-folder"
          />
        </Form.Item>
        <Form.Item name="tags" label={tr('标签', 'Tags')}>
          <Select mode="tags" tokenSeparators={[',', '，']} placeholder={tr('输入后回车', 'Type and press Enter')} />
        </Form.Item>
      </Form>
    </Drawer>
  )
}
