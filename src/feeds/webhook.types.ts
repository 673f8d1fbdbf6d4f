import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';

@InputType('WebhookInput', { description: '登记一个推送：把某部门账号可见的一张表单的变更，签名后推送到部门的接收地址' })
export class WebhookInputType {
  @Field({ description: '部门账号的用户名：推送的内容即该账号用 formChanges 能取到的（其表单、其区划，按其权限脱敏）' }) account!: string;
  @Field({ description: '表单代码，如 F01' }) code!: string;
  @Field(() => String, { nullable: true, description: '区划代码；默认为该账号所属区划' }) orgUnit?: string | null;
  @Field({ description: '接收地址（http/https），主机须在 WEBHOOK_ALLOWED_HOSTS 中' }) url!: string;
  @Field({ description: '签名密钥（16–200 个字符），只用于签名，此后不再显示' }) secret!: string;
  @Field(() => Int, { nullable: true, description: '每批最多几条变更，默认 100，最多 500' }) batchSize?: number | null;
}

@ObjectType('Webhook', { description: '一个推送（不含密钥）' })
export class WebhookType {
  @Field(() => Int) id!: number;
  @Field({ description: '部门账号' }) account!: string;
  @Field() code!: string;
  @Field() orgUnit!: string;
  @Field() url!: string;
  @Field({ description: 'active 推送中，paused 已暂停' }) state!: string;
  @Field({ description: '已送达到的位置（变更游标）' }) cursor!: string;
  @Field(() => Int) batchSize!: number;
  @Field() createdBy!: string;
  @Field() createdAt!: string;
}

@ObjectType('WebhookAttempt', { description: '一次投递尝试' })
export class WebhookAttemptType {
  @Field(() => Int) attempt!: number;
  @Field() at!: string;
  @Field(() => Int, { nullable: true, description: '接收方的 HTTP 状态码；超时、连接失败时为空' }) status!: number | null;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => Int) durationMs!: number;
}

@ObjectType('WebhookDelivery', { description: '一批变更的投递记录（重试时投递编号不变）' })
export class WebhookDeliveryType {
  @Field(() => Int) id!: number;
  @Field({ description: '投递编号（X-Ybt-Delivery-Id）：接收方据此去重' }) deliveryId!: string;
  @Field({ description: 'pending 待投递（含重试中），delivered 已送达，cancelled 因重放而取消' }) state!: string;
  @Field() fromCursor!: string;
  @Field() toCursor!: string;
  @Field(() => Int) changeCount!: number;
  @Field(() => Int) attempts!: number;
  @Field(() => String, { nullable: true }) nextAttemptAt!: string | null;
  @Field(() => Int, { nullable: true }) lastStatus!: number | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
  @Field() createdAt!: string;
  @Field(() => String, { nullable: true }) deliveredAt!: string | null;
  @Field(() => [WebhookAttemptType]) attemptLog!: WebhookAttemptType[];
}
