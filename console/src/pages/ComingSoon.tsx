import { useParams } from 'react-router-dom'
import { Card, Empty } from 'antd'
import { useI18n } from '../i18n'

export default function ComingSoon() {
  const { feature } = useParams()
  const { tr } = useI18n()
  return (
    <Card>
      <Empty
        description={tr(
          `「${feature}」即将推出：后端完成后会出现在这里。现在可以先在「客户」和「企业标签」中整理客户。`,
          `"${feature}" is coming soon: it appears here once its backend lands. Meanwhile, organise customers under Customers and Tags.`,
        )}
      />
    </Card>
  )
}
