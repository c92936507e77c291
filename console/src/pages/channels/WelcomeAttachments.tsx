// 欢迎语附件: images, links, mini-programs and files sent after the welcome text (≤ 9, WeCom's
// limit). Images, files and mini-program covers are uploaded to Siyu first (POST
// /acquisition/assets); Siyu uploads them to WeCom when a customer adds.
import { useState } from 'react'
import { Button, Card, Form, Input, Select, Space, Typography, Upload, type FormInstance } from 'antd'
import { DeleteOutlined, PaperClipOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons'
import type { Schemas } from '../../api'
import { useAction } from '../../hooks'
import { useI18n } from '../../i18n'
import { upload } from '../content/shared'

export type Attachment = Schemas['Attachment']
type Asset = Schemas['AssetOut']

export const ATTACHMENTS_MAX = 9

const TYPES: Record<string, [string, string]> = {
  image: ['图片', 'Image'],
  link: ['链接', 'Link'],
  miniprogram: ['小程序', 'Mini-program'],
  file: ['文件', 'File'],
}

/** A short description of an attachment for previews and lists. */
export function describe(a: Partial<Attachment>, tr: (zh: string, en: string) => string): string {
  const kind = TYPES[a.type ?? ''] ? tr(...TYPES[a.type as string]) : tr('附件', 'Attachment')
  return a.title ? `${kind}：${a.title}` : kind
}

/** Uploads a file as an asset; the value is the asset id, the file name goes to `titlePath`. */
function AssetUpload({
  value,
  onChange,
  form,
  titlePath,
  accept,
  testId,
}: {
  value?: number | null
  onChange?: (id: number) => void
  form: FormInstance
  titlePath?: (string | number)[]
  accept?: string
  testId: string
}) {
  const { tr } = useI18n()
  const act = useAction()
  const [busy, setBusy] = useState(false)
  const [name, setName] = useState<string | null>(null)
  return (
    <Space>
      <Upload
        showUploadList={false}
        accept={accept}
        beforeUpload={(file) => {
          void (async () => {
            setBusy(true)
            const fd = new FormData()
            fd.append('file', file)
            const asset = await act(() => upload<Asset>('/acquisition/assets', fd))
            setBusy(false)
            if (asset) {
              setName(asset.filename)
              if (titlePath) form.setFieldValue(titlePath, asset.filename)
              onChange?.(asset.id)
            }
          })()
          return false
        }}
      >
        <Button size="small" icon={<UploadOutlined />} loading={busy} data-testid={testId}>
          {value ? tr('重新上传', 'Upload again') : tr('上传', 'Upload')}
        </Button>
      </Upload>
      {value ? (
        <Typography.Text type="secondary" data-testid={`${testId}-done`}>
          <PaperClipOutlined /> {name ?? tr('已上传', 'Uploaded')}
        </Typography.Text>
      ) : null}
    </Space>
  )
}

/** The attachments of one welcome (default or a time-of-day variant), as a Form.List. */
export default function WelcomeAttachments({
  form,
  name,
  testId,
}: {
  form: FormInstance
  /** the list's full path in the form, e.g. ['welcome_attachments'] or ['variants', 0, 'attachments'] */
  name: (string | number)[]
  testId: string
}) {
  const { tr } = useI18n()
  const items = (Form.useWatch(name, form) as Partial<Attachment>[] | undefined) ?? []
  // inside a parent Form.List (variants) a nested list is named relative to its row
  const listName = name.length > 1 && typeof name[1] === 'number' ? name.slice(1) : name
  return (
    <Form.List name={listName}>
      {(fields, { add, remove }) => (
        <Space orientation="vertical" style={{ width: '100%' }} data-testid={testId}>
          {fields.map((f, i) => {
            const kind = items[i]?.type ?? 'image'
            const path = [...name, f.name]
            return (
              <Card
                key={f.key}
                size="small"
                data-testid={`${testId}-item`}
                title={tr(`附件 ${i + 1}`, `Attachment ${i + 1}`)}
                extra={<Button type="text" size="small" icon={<DeleteOutlined />} aria-label="remove attachment" onClick={() => remove(f.name)} />}
              >
                <Form.Item name={[f.name, 'type']} style={{ marginBottom: 8 }}>
                  <Select
                    style={{ width: 140 }}
                    data-testid={`${testId}-type`}
                    options={Object.entries(TYPES).map(([value, [zh, en]]) => ({ value, label: tr(zh, en) }))}
                    onChange={() => form.setFieldValue(path, { type: form.getFieldValue([...path, 'type']) })}
                  />
                </Form.Item>
                {kind === 'link' && (
                  <>
                    <Form.Item
                      name={[f.name, 'title']}
                      label={tr('标题', 'Title')}
                      rules={[{ required: true, message: tr('请输入链接标题', 'Enter the link title') }]}
                    >
                      <Input maxLength={42} data-testid={`${testId}-link-title`} />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'url']}
                      label={tr('链接地址', 'URL')}
                      rules={[{ required: true, type: 'url', message: tr('请输入 http(s) 链接', 'Enter an http(s) URL') }]}
                    >
                      <Input placeholder="https://" data-testid={`${testId}-link-url`} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'desc']} label={tr('描述', 'Description')}>
                      <Input maxLength={170} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'pic_url']} label={tr('封面图链接', 'Cover image URL')}>
                      <Input placeholder="https://" />
                    </Form.Item>
                  </>
                )}
                {kind === 'miniprogram' && (
                  <>
                    <Form.Item name={[f.name, 'title']} label={tr('标题', 'Title')} rules={[{ required: true, message: tr('请输入标题', 'Enter a title') }]}>
                      <Input maxLength={64} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'appid']} label="AppID" rules={[{ required: true, message: tr('请输入小程序 AppID', 'Enter the AppID') }]}>
                      <Input placeholder="wx..." />
                    </Form.Item>
                    <Form.Item name={[f.name, 'page']} label={tr('页面路径', 'Page')} rules={[{ required: true, message: tr('请输入页面路径', 'Enter the page') }]}>
                      <Input placeholder="pages/index/index.html" />
                    </Form.Item>
                    <Form.Item name={[f.name, 'asset_id']} label={tr('封面', 'Cover')} rules={[{ required: true, message: tr('请上传封面', 'Upload a cover') }]}>
                      <AssetUpload form={form} accept="image/png,image/jpeg" testId={`${testId}-cover`} />
                    </Form.Item>
                  </>
                )}
                {(kind === 'image' || kind === 'file') && (
                  <>
                    <Form.Item name={[f.name, 'title']} hidden>
                      <Input />
                    </Form.Item>
                    <Form.Item
                      name={[f.name, 'asset_id']}
                      rules={[{ required: true, message: kind === 'image' ? tr('请上传图片', 'Upload an image') : tr('请上传文件', 'Upload a file') }]}
                      extra={items[i]?.title ? describe(items[i], tr) : undefined}
                      style={{ marginBottom: 0 }}
                    >
                      <AssetUpload
                        form={form}
                        titlePath={[...path, 'title']}
                        accept={kind === 'image' ? 'image/png,image/jpeg' : undefined}
                        testId={`${testId}-upload`}
                      />
                    </Form.Item>
                  </>
                )}
              </Card>
            )
          })}
          <Button
            size="small"
            icon={<PlusOutlined />}
            disabled={fields.length >= ATTACHMENTS_MAX}
            onClick={() => add({ type: 'image' })}
            data-testid={`${testId}-add`}
          >
            {tr(`添加附件（最多 ${ATTACHMENTS_MAX} 个）`, `Add an attachment (≤ ${ATTACHMENTS_MAX})`)}
          </Button>
        </Space>
      )}
    </Form.List>
  )
}
