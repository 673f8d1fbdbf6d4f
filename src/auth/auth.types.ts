import { Field, GraphQLISODateTime, InputType, Int, ObjectType } from '@nestjs/graphql';

@ObjectType('Account', { description: '账号：一个角色，绑定一个区划（管理员除外）' })
export class AccountType {
  @Field(() => Int) id!: number;
  @Field(() => Int, { description: '版本号，修改时作为 expectedVersion 提交' }) version!: number;
  @Field({ description: '用户名（登录名）' }) username!: string;
  @Field({ description: '姓名或单位名称' }) displayName!: string;
  @Field({ description: '角色：grid_worker 网格员 / community_staff 社区工作者 / street_office 街道办事处 / department 部门 / admin 管理员' }) role!: string;
  @Field({ description: '角色名称' }) roleName!: string;
  @Field(() => String, { nullable: true, description: '绑定的区划或网格代码（可见范围）' }) orgUnitCode!: string | null;
  @Field(() => String, { nullable: true, description: '部门账号的部门名称；可见的表单为模板中写明该部门的表单' }) department!: string | null;
  @Field({ description: '是否可见完整的公民身份号码和电话（否则脱敏；每次查看完整值都记入审计日志）' }) fullValues!: boolean;
  @Field({ description: '是否启用' }) active!: boolean;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType('LoginResult', { description: '登录结果：在之后的请求头中带上 Authorization: Bearer <token>' })
export class LoginResultType {
  @Field({ description: '登录令牌（JWT）' }) token!: string;
  @Field(() => GraphQLISODateTime, { description: '令牌到期时间' }) expiresAt!: Date;
  @Field(() => AccountType) account!: AccountType;
}

@InputType('AccountInput', { description: '新建或修改账号（修改时只提交要改的项）' })
export class AccountInput {
  @Field(() => String, { nullable: true, description: '用户名：新建时必填，之后不能修改' }) username?: string | null;
  @Field(() => String, { nullable: true }) displayName?: string | null;
  @Field(() => String, { nullable: true, description: '密码：至少 10 个字符，含字母和数字' }) password?: string | null;
  @Field(() => String, { nullable: true }) role?: string | null;
  @Field(() => String, { nullable: true }) orgUnitCode?: string | null;
  @Field(() => String, { nullable: true }) department?: string | null;
  @Field(() => Boolean, { nullable: true }) fullValues?: boolean | null;
  @Field(() => Boolean, { nullable: true }) active?: boolean | null;
}
